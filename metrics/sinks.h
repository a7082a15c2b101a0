// The metrics exporters behind reports::ResultSink: --serve (a /metrics endpoint scraped while the
// run goes), --push (a Pushgateway, at the end and every few checkpoints), --textfile (a
// node_exporter textfile, replaced atomically). Nothing else in teebench sees prometheus-cpp.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "reports/sink.h"

namespace metrics {

struct SinkOptions {
  std::string serve;  // [ADDR:]PORT; loopback when no address is given
  std::string push;   // Pushgateway URL
  std::string push_job = "teebench";
  std::string textfile;  // FILE (node_exporter's collector reads *.prom)
  // Labels added to every series on top of those the run recorded (`teebench export --label`).
  std::map<std::string, std::string> extra_labels;
  // After the run, how long --serve waits for Prometheus to scrape the final figures.
  double serve_linger_s = 30;
};

// Throws std::invalid_argument (a bad address or URL) or std::runtime_error (the port cannot be
// bound), each a one-line message naming the option and the fix.
std::vector<std::unique_ptr<reports::ResultSink>> make_sinks(const SinkOptions& o);

// The Pushgateway grouping key of a run: instance (the host that ran it), workload, and the
// user's labels. Two runs share a group, the later replacing the earlier, only if all of these
// are equal.
std::map<std::string, std::string> grouping_key(const nlohmann::json& results,
                                                const std::map<std::string, std::string>& extra);

// "[ADDR:]PORT" -> "ADDR:PORT", loopback when no address. Throws std::invalid_argument.
std::string listen_address(const std::string& serve);

}  // namespace metrics
