// `teebench report RESULTS.json`: the run's page (HTML, self-contained) and/or Markdown, from any
// results file — `teebench run` writes report.html itself; this renders one made elsewhere or
// earlier.
#include <fmt/core.h>

#include <filesystem>
#include <fstream>

#include "app/commands.h"
#include "reports/json_input.h"
#include "reports/report.h"
#include "reports/results.h"

namespace app {
namespace {

struct ReportOptions {
  std::string results, html, markdown;
};

int report(const ReportOptions& o) {
  std::ifstream in(o.results);
  if (!in) {
    fmt::print(stderr, "teebench: cannot read {}: give the results.json a run wrote\n", o.results);
    return 2;
  }
  const nlohmann::json doc = reports::parse_json_or_discarded(in);
  if (doc.is_discarded() || !doc.is_object() || doc.value("schema", "") != "teebench-results/1") {
    fmt::print(stderr,
               "teebench: {} is not a teebench results document (schema teebench-results/1); "
               "give the results.json a run wrote\n",
               o.results);
    return 2;
  }
  std::string html = o.html;
  if (html.empty() && o.markdown.empty())
    html = (std::filesystem::path(o.results).parent_path() / "report.html").string();
  try {
    if (!html.empty()) {
      reports::write_atomic(html, reports::report_html(doc));
      fmt::print("report: {}\n", html);
    }
    if (!o.markdown.empty()) {
      reports::write_atomic(o.markdown, reports::report_markdown(doc));
      fmt::print("report: {}\n", o.markdown);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "teebench: {}\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace

// Writes report.html next to a run's results.json; a failure is a warning (the results are safe
// and `teebench report` can render them later).
void write_run_report(const std::string& results_path, const nlohmann::json& doc) {
  const std::string html =
      (std::filesystem::path(results_path).parent_path() / "report.html").string();
  try {
    reports::write_atomic(html, reports::report_html(doc));
  } catch (const std::exception& e) {
    fmt::print(stderr,
               "teebench: warning: no report.html ({}); the results are in {}: render "
               "them later with teebench report {}\n",
               e.what(), results_path, results_path);
  }
}

Runner add_report(CLI::App& app) {
  auto* cmd = app.add_subcommand("report",
                                 "Render a results.json as a self-contained HTML page (report.html "
                                 "next to it by default) or Markdown");
  auto o = std::make_shared<ReportOptions>();
  cmd->add_option("results", o->results, "RESULTS.json written by teebench run")->required();
  cmd->add_option("--html", o->html, "write the HTML page to FILE");
  cmd->add_option("--markdown", o->markdown, "write the Markdown report to FILE");
  return [cmd, o]() {
    if (!*cmd) return -1;
    return report(*o);
  };
}

}  // namespace app
