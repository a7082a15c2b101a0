// The comparison as a self-contained HTML page: the outcome, the context differences, TF-A's
// table (base, new, delta, verdict per cell) and the two runs' latency distributions overlaid.
#pragma once

#include <string>

#include "reports/compare.h"

namespace reports {

std::string compare_html(const Comparison& c, const ComparableRun& base, const ComparableRun& next);

}  // namespace reports
