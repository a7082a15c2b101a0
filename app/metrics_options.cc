// The metrics options shared by `run` and `export`, and the sinks they ask for. The arm64 build
// for a board has no prometheus-cpp (Debian ships no static one): there the options are refused
// with the reason; the host's teebench serves and pushes what a qemu guest streams home.
#include <fmt/core.h>

#include "app/commands.h"
#include "reports/labels.h"
#if TEEBENCH_METRICS
#include "metrics/sinks.h"
#endif

namespace app {

void MetricsOptions::add_to(CLI::App* cmd, bool with_serve) {
  if (with_serve) {
    cmd->add_option("--serve", serve,
                    "expose Prometheus metrics on http://[ADDR:]PORT/metrics while the run goes "
                    "(loopback unless ADDR is given; port 0 picks a free one)")
        ->type_name("[ADDR:]PORT");
    cmd->add_option("--serve-linger", serve_linger_s,
                    "after the run, wait this long for a scrape of the final figures (s)")
        ->check(CLI::Range(0.0, 3600.0))
        ->capture_default_str();
  }
  cmd->add_option("--push", push,
                  "push the metrics to this Pushgateway at the end (and every 10 s while a "
                  "run goes)")
      ->type_name("URL");
  cmd->add_option("--push-job", push_job, "the Pushgateway job name")->capture_default_str();
  cmd->add_option("--textfile", textfile,
                  "write the metrics to FILE for node_exporter's textfile collector (replaced "
                  "atomically)")
      ->type_name("FILE");
}

bool parse_labels(const std::vector<std::string>& in, std::map<std::string, std::string>* out) {
  for (const auto& kv : in)
    if (auto e = reports::add_label(kv, out); !e.empty()) {
      fmt::print(stderr, "teebench: {}\n", e);
      return false;
    }
  return true;
}

bool MetricsOptions::make(const std::map<std::string, std::string>& extra_labels,
                          std::vector<std::unique_ptr<reports::ResultSink>>* out) const {
  if (!any()) return true;
#if TEEBENCH_METRICS
  if (push_job.empty()) {
    fmt::print(stderr, "teebench: --push-job is empty; give the job a name (default teebench)\n");
    return false;
  }
  metrics::SinkOptions o;
  o.serve = serve;
  o.push = push;
  o.push_job = push_job;
  o.textfile = textfile;
  o.extra_labels = extra_labels;
  o.serve_linger_s = serve_linger_s;
  try {
    *out = metrics::make_sinks(o);
  } catch (const std::exception& e) {
    fmt::print(stderr, "teebench: {}\n", e.what());
    return false;
  }
  return true;
#else
  (void)extra_labels;
  (void)out;
  fmt::print(stderr,
             "teebench: this teebench was built without Prometheus support (TEEBENCH_METRICS=OFF, "
             "as the arm64 board build is); run --serve/--push/--textfile from a host build\n");
  return false;
#endif
}

}  // namespace app
