// Label names and values that may go on teebench's series (docs/metrics.md). Checked up front, so a
// run never starts with a --label that Prometheus, the Pushgateway's URL or a dashboard would turn
// down halfway through.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace reports {

// "" if `name=value` can be a label of every series of a run, else a one-line reason with the fix.
std::string check_label(std::string_view name, std::string_view value);

// Parses "k=v" into `out` after check_label; "" or the one-line error.
std::string add_label(std::string_view key_value, std::map<std::string, std::string>* out);

}  // namespace reports
