// A comparison written for a terminal and as Markdown (TF-A's docs/perf tables: base, new, delta
// and verdict per cell). The HTML page is reports/html_compare.h.
#pragma once

#include <string>

#include "reports/compare.h"

namespace reports {

// Warnings and notes first, then changed verdicts, then the figures: only those that changed
// unless `verbose`. Ends with the one-line outcome.
std::string compare_text(const Comparison& c, bool verbose);
std::string compare_markdown(const Comparison& c);
// "2 regressions, 1 improvement, 40 without significant change (3 advisory)".
std::string compare_outcome(const Comparison& c);
// A figure's value in its unit, for people: "1.23 us", "4.5 M/s".
std::string format_value(double v, const std::string& unit);

}  // namespace reports
