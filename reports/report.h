// The report of one run (docs/report.md): a self-contained HTML page — inline SVG and CSS, no
// script, nothing fetched — and the same tables as Markdown. Built from the results document, so
// `teebench report` renders any results.json, including a board's copied home.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace reports {

std::string report_html(const nlohmann::json& results);
std::string report_markdown(const nlohmann::json& results);

}  // namespace reports
