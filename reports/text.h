// Text helpers the console summary, compare and report pages share.
#pragma once

#include <string>

namespace reports {

// A latency for a table: "4779 ns", "17.5 us", "5.2 ms", "1.25 s" (whole ns below 10 us).
std::string human_ns(double ns);
// A Markdown table cell: a '|' in a case label would end the cell.
std::string markdown_cell(std::string s);

}  // namespace reports
