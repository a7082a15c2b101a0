// An OP-TEE build's configuration as its TA dev kit records it
// (export-ta_arm64/host_include/conf.h: one `#define CFG_X value` per option that is set).
#pragma once

#include <map>
#include <string>

namespace targets {

// CFG_* name -> value text; empty when the file cannot be read.
std::map<std::string, std::string> read_optee_conf(const std::string& conf_h);

}  // namespace targets
