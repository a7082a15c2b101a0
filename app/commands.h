// The teebench subcommands. Each registers its options on the CLI11 app and returns its exit code
// when run: 0 ok, 1 a check or invariant failed, 2 usage or input error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/sink.h"
#include "targets/target.h"
#include "teebench/tee/context.h"

namespace app {

// --target and --set, shared by every command that talks to a device.
struct TargetOptions {
  std::string target = "emu";
  std::vector<std::string> settings;
  void add_to(CLI::App* cmd);
  // Builds the target; on a bad value prints a one-line error and returns false.
  bool resolve(targets::TargetSpec* out) const;
  // Resolves, opens the target, a client device and a context on it; prints a one-line error
  // and returns false.
  bool open(targets::TargetSpec* out, std::unique_ptr<targets::Target>* target,
            std::unique_ptr<client::Device>* dev, std::unique_ptr<client::Context>* ctx) const;
};

// --serve, --push, --textfile: where the run's metrics go besides results.json (metrics/).
struct MetricsOptions {
  std::string serve, push, push_job = "teebench", textfile;
  double serve_linger_s = 30;
  // `export` has no --serve.
  void add_to(CLI::App* cmd, bool with_serve);
  bool any() const { return !serve.empty() || !push.empty() || !textfile.empty(); }
  // Builds the sinks; on a bad value prints a one-line error and returns false.
  bool make(const std::map<std::string, std::string>& extra_labels,
            std::vector<std::unique_ptr<reports::ResultSink>>* out) const;
};

// Checks --label KEY=VALUE pairs (reports/labels.h); on a bad one prints a one-line error and
// returns false.
bool parse_labels(const std::vector<std::string>& in, std::map<std::string, std::string>* out);

using Runner = std::function<int()>;
Runner add_info(CLI::App& app);
Runner add_smoke(CLI::App& app);
Runner add_run(CLI::App& app);
Runner add_list(CLI::App& app);
Runner add_export(CLI::App& app);
Runner add_compare(CLI::App& app);
Runner add_report(CLI::App& app);
Runner add_stress(CLI::App& app);
// Bundled workloads: beside the sources, or where TEEBENCH_WORKLOAD_DIR says (run.cc).
std::string workload_dir();
// report.html next to a run's results.json (a failure is a warning: the results are safe).
void write_run_report(const std::string& results_path, const nlohmann::json& results);

}  // namespace app
