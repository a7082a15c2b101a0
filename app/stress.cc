// `teebench stress`: the stress workloads (workloads/stress/), each run as its own `teebench run`
// child process so that a hang the watchdog ends, or a crash, costs one cell and not the whole
// check. With --sensitivity, every workload runs against the clean stack and with each defect of
// the emulator's catalogue (docs/defects.md) switched on, --runs times: the matrix says which
// scenario catches which defect, and the clean rows count the false alarms.
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/commands.h"
#include "app/out_folder.h"
#include "reports/context.h"
#include "reports/json_input.h"
#include "reports/results.h"

namespace app {
namespace {

namespace fs = std::filesystem;

struct StressOptions {
  TargetOptions target;
  bool sensitivity = false;
  unsigned runs = 1;
  std::string out;
  bool force = false;
};

std::vector<std::string> stress_workloads() {
  const fs::path dir = fs::path(workload_dir()) / "stress";
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec))
    if (f.path().extension() == ".json") names.push_back("stress/" + f.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

// One child `teebench run`: its exit code and the invariants it failed.
struct Cell {
  int exit = 0;
  std::vector<std::string> failed;  // verdict names
  std::string error;                // the child's first stderr line on exit 2
};

Cell run_child(const std::vector<std::string>& args, const std::string& dir) {
  fs::create_directories(dir);
  const pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen((dir + "/stdout.txt").c_str(), "w", stdout) ||
        !std::freopen((dir + "/stderr.txt").c_str(), "w", stderr))
      _exit(126);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Cell c;
  c.exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  try {
    const auto j = reports::parse_json(reports::read_text_file(dir + "/out/results.json"));
    for (const auto& cs : j.value("cases", nlohmann::json::array()))
      for (const auto& v : cs.value("verdicts", nlohmann::json::array()))
        if (v.value("outcome", "") == "fail") c.failed.push_back(v.value("name", "?"));
  } catch (const std::exception&) {
    // No results (exit 2 before the run): the stderr line says why.
  }
  std::sort(c.failed.begin(), c.failed.end());
  c.failed.erase(std::unique(c.failed.begin(), c.failed.end()), c.failed.end());
  if (c.exit == 2 || c.exit > 128) {
    std::ifstream err(dir + "/stderr.txt");
    std::getline(err, c.error);
  }
  return c;
}

int stress(const StressOptions& o) {
  targets::TargetSpec base;
  if (!o.target.resolve(&base)) return 2;
  const auto workloads = stress_workloads();
  if (workloads.empty()) {
    fmt::print(stderr, "teebench: no stress workloads found in {}/stress\n", workload_dir());
    return 2;
  }
  std::vector<targets::Defect> defects;
  if (o.sensitivity) {
    if (!base.is_emu()) {
      fmt::print(stderr,
                 "teebench: --sensitivity switches the emulator's defects on: use --target emu\n");
      return 2;
    }
    defects = targets::defect_catalogue();
  }
  const std::string out =
      o.out.empty() ? fmt::format("results/stress-{}", reports::utc_now()) : o.out;
  OutFolder folder;
  if (auto e = folder.claim(out, o.force); !e.empty()) {
    fmt::print(stderr, "teebench: {}\n", e);
    return 2;
  }
  std::vector<std::string> rows = {"none"};
  for (const auto& d : defects) rows.push_back(d.name);
  // matrix[row][workload]: runs that failed (detected), and the failing verdicts seen.
  nlohmann::json matrix = nlohmann::json::object();
  int errors = 0;
  for (unsigned run = 0; run < o.runs; ++run)
    for (const auto& row : rows)
      for (const auto& w : workloads) {
        const std::string dir =
            fmt::format("{}/cells/{}/{}/{}", out, row, fs::path(w).filename().string(), run);
        std::vector<std::string> args = {"teebench",   "run",     w,          "--out",
                                         dir + "/out", "--force", "--target", o.target.target};
        for (const auto& s : o.target.settings) args.insert(args.end(), {"--set", s});
        if (o.sensitivity) args.insert(args.end(), {"--set", "defect=" + row});
        const Cell c = run_child(args, dir);
        auto& cell = matrix[row][w];
        if (cell.is_null())
          cell = {{"runs", 0}, {"failed", 0}, {"verdicts", nlohmann::json::object()}};
        cell["runs"] = cell.value("runs", 0) + 1;
        cell["failed"] = cell.value("failed", 0) + (c.exit == 1 ? 1 : 0);
        for (const auto& v : c.failed) cell["verdicts"][v] = cell["verdicts"].value(v, 0) + 1;
        if (c.exit != 0 && c.exit != 1) {
          ++errors;
          cell["errors"].push_back(fmt::format("exit {}: {}", c.exit, c.error));
        }
        fmt::print(stderr, "[{}/{}] {:<16} {:<26} {}\n", run + 1, o.runs, row, w,
                   c.exit == 0   ? "held"
                   : c.exit == 1 ? "FAILED " + fmt::format("{}", fmt::join(c.failed, ", "))
                                 : fmt::format("error (exit {}): {}", c.exit, c.error));
      }

  // Verdicts: each defect caught by at least one workload in every run; no clean run failing.
  reports::RunResult result;
  result.status = "complete";
  result.context = reports::host_context();
  result.context["target"] = base.text;
  result.workload = {{"name", o.sensitivity ? "stress-sensitivity" : "stress"},
                     {"runs", o.runs},
                     {"workloads", workloads}};
  unsigned false_alarms = 0;
  for (const auto& w : workloads) {
    const unsigned f = matrix["none"][w].value("failed", 0u);
    false_alarms += f;
    result.verdicts.push_back({"no_false_alarm/" + fs::path(w).filename().string(),
                               f ? reports::Outcome::kFail : reports::Outcome::kPass,
                               fmt::format("{} of {} clean runs failed", f, o.runs),
                               matrix["none"][w]});
  }
  std::string table = fmt::format("{:<16}", "defect");
  for (const auto& w : workloads) table += fmt::format(" {:>16}", fs::path(w).filename().string());
  table += "\n";
  unsigned detected = 0;
  for (const auto& row : rows) {
    table += fmt::format("{:<16}", row);
    unsigned caught_in = 0;
    for (const auto& w : workloads) {
      const auto& cell = matrix[row][w];
      table += fmt::format(" {:>16}", fmt::format("{}/{}", cell.value("failed", 0), o.runs));
      caught_in += cell.value("failed", 0u) == o.runs;
    }
    table += "\n";
    if (row == "none") continue;
    detected += caught_in > 0;
    result.verdicts.push_back(
        {"defect_detected/" + row, caught_in ? reports::Outcome::kPass : reports::Outcome::kFail,
         caught_in ? fmt::format("caught in every run by {} of {} stress workloads", caught_in,
                                 workloads.size())
                   : "no stress workload caught it in every run",
         matrix[row]});
  }
  result.metrics["sensitivity"] = {{"matrix", matrix},
                                   {"defects", rows.size() - 1},
                                   {"detected", detected},
                                   {"false_alarms", false_alarms},
                                   {"cell_errors", errors}};
  nlohmann::json catalogue = nlohmann::json::array();
  for (const auto& d : defects)
    catalogue.push_back({{"name", d.name}, {"upstream", d.upstream}, {"behaviour", d.behaviour}});
  result.metrics["defect_catalogue"] = catalogue;
  const std::string results_path = out + "/results.json";
  const nlohmann::json doc = reports::to_json(result);
  reports::write_atomic(results_path, doc.dump(1) + "\n");
  write_run_report(results_path, doc);

  fmt::print("{}(cells: runs that failed / runs; row 'none' is the clean stack)\n", table);
  if (o.sensitivity)
    fmt::print("detected: {} of {} defects; false alarms: {} in {} clean runs\n", detected,
               rows.size() - 1, false_alarms, o.runs * workloads.size());
  else
    fmt::print("failed: {} of {} runs\n", false_alarms, o.runs * workloads.size());
  fmt::print("results: {}, report.html beside it\n", results_path);
  if (errors) {
    fmt::print(stderr, "teebench: {} runs ended in an error; see {}/cells\n", errors, out);
    return 2;
  }
  return result.any_failed() ? 1 : 0;
}

}  // namespace

Runner add_stress(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "stress",
      "Run the stress workloads (workloads/stress/); with --sensitivity, also with each "
      "known defect switched on, and print which workload catches which");
  auto o = std::make_shared<StressOptions>();
  o->target.add_to(cmd);
  cmd->add_flag("--sensitivity", o->sensitivity,
                "run every stress workload clean and with each defect of the emulator's catalogue");
  cmd->add_option("--runs", o->runs, "times each cell runs (default 1)")
      ->check(CLI::Range(1u, 1000u));
  cmd->add_option("--out", o->out, "output folder (default results/stress-<time>)");
  cmd->add_flag("--force", o->force, "replace a results.json already in the --out folder");
  return [cmd, o]() {
    if (!*cmd) return -1;
    return stress(*o);
  };
}

}  // namespace app
