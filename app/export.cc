// `teebench export RESULTS.json`: sends a results file written earlier (a board run copied back
// from a farm, a run made without --push) to a Pushgateway or a node_exporter textfile, or prints
// its Prometheus exposition, named exactly as a live run's would be.
#include <fmt/core.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "reports/json_input.h"
#if TEEBENCH_METRICS
#include "metrics/families.h"
#endif

namespace app {
namespace {

struct ExportOptions {
  std::string results;
  std::vector<std::string> labels;
  MetricsOptions metrics;
};

int export_results(const ExportOptions& o) {
  std::map<std::string, std::string> extra;
  if (!parse_labels(o.labels, &extra)) return 2;
  std::ifstream in(o.results);
  if (!in) {
    fmt::print(stderr, "teebench: {}: cannot open it; give the results.json a run wrote\n",
               o.results);
    return 2;
  }
  auto doc = std::make_shared<nlohmann::json>(reports::parse_json_or_discarded(in));
  if (doc->is_discarded() || !doc->is_object() || !doc->contains("context") ||
      !doc->contains("cases")) {
    fmt::print(stderr,
               "teebench: {}: not a teebench results document (JSON with context and "
               "cases); give the results.json a run wrote\n",
               o.results);
    return 2;
  }
  // A checkpoint of a run that never ended is exported as what it was: still "running" would make
  // the push sink hold it back, so it goes out as the interrupted run it is.
  if (doc->value("status", "running") == "running") (*doc)["status"] = "interrupted";
  if (!o.metrics.any()) {
#if TEEBENCH_METRICS
    try {
      fmt::print("{}", metrics::to_text(metrics::families(*doc, extra)));
    } catch (const std::exception& e) {
      fmt::print(stderr, "teebench: {}: {}\n", o.results, e.what());
      return 2;
    }
    return 0;
#else
    fmt::print(stderr, "teebench: this teebench was built without Prometheus support\n");
    return 2;
#endif
  }
  std::vector<std::unique_ptr<reports::ResultSink>> sinks;
  if (!o.metrics.make(extra, &sinks)) return 2;
  std::shared_ptr<const nlohmann::json> final_doc = std::move(doc);
  for (auto& s : sinks) {
    s->publish(final_doc);
    s->close();
  }
  return 0;
}

}  // namespace

Runner add_export(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "export",
      "Send a results.json to a Pushgateway (--push) or a node_exporter textfile (--textfile), "
      "or print its Prometheus metrics");
  auto o = std::make_shared<ExportOptions>();
  cmd->add_option("results", o->results, "RESULTS.json written by teebench run")->required();
  cmd->add_option("--label", o->labels,
                  "KEY=VALUE put on every metric on top of the run's own labels (repeatable)")
      ->type_name("KEY=VALUE");
  o->metrics.add_to(cmd, false);
  return [cmd, o]() {
    if (!*cmd) return -1;
    return export_results(*o);
  };
}

}  // namespace app
