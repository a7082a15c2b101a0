// `teebench run`: runs a workload file, shows progress, prints a summary, and writes results.json
// (atomically, with checkpoints while it runs) into the output folder.
#include <fmt/core.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>

#include "app/checkpoint_stream.h"
#include "app/commands.h"
#include "app/out_folder.h"
#include "app/progress.h"
#include "app/qemu_forward.h"
#include "measure/clock.h"
#include "measure/perf_counters.h"
#include "reports/context.h"
#include "reports/expectations.h"
#include "reports/host_load.h"
#include "reports/results.h"
#include "reports/summary.h"
#include "teebench/tee/context.h"
#include "workloads/runner.h"
#include "workloads/scenarios/scenario.h"
#include "workloads/spec.h"

namespace app {
namespace {

namespace fs = std::filesystem;
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

// SIGINT, SIGTERM (a CI job's timeout, systemd) and SIGHUP (a closed terminal) all end the run
// the same way: the case in progress stops, what was measured is written, status "interrupted".
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

void on_stop_signal(int sig) {
  g_signal = sig;
  g_stop = true;
  signal(sig, SIG_DFL);  // the same signal a second time kills at once
}

void catch_stop_signals(bool on) {
  for (int sig : kStopSignals) signal(sig, on ? on_stop_signal : SIG_DFL);
}

struct RunOptions {
  std::string workload;
  TargetOptions target;
  std::string out;
  std::vector<std::string> labels;
  MetricsOptions metrics;
  bool verbose = false;
  bool force = false;    // replace a results.json already in --out
  std::string duration;  // --duration: 90, 90s, 30m, 1h (a soak: docs/verdicts.md)
};

// "--duration 1h" as "--set duration_s=3600": seconds, or a number with s, m or h. Returns the
// seconds as the setting's text, or "" with `why` set.
std::string duration_setting(const std::string& text, std::string* why) {
  double n = 0;
  size_t used = 0;
  try {
    n = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string unit = text.substr(used);
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  if (used == 0 || scale == 0 || !(n > 0)) {
    *why = fmt::format(
        "--duration: '{}' is not a duration: give seconds, or a number with s, m "
        "or h (e.g. --duration 1h)",
        text);
    return {};
  }
  return fmt::format("duration_s={:g}", n * scale);
}

std::string find_workload(const std::string& name) {
  if (fs::is_regular_file(name)) return name;
  const fs::path bundled =
      fs::path(workload_dir()) / (name + (fs::path(name).has_extension() ? "" : ".json"));
  if (fs::exists(bundled)) return bundled.string();
  return name;  // load_workload reports it missing
}

// MemAvailable from /proc/meminfo in bytes, 0 when unknown.
uint64_t mem_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

// Refuses a workload whose clients alone would not fit in this machine's memory: said before any
// thread starts, rather than found as a machine swapping itself to death with no output.
std::string check_size(const workloads::Workload& w) {
  uint64_t worst = 0;
  const workloads::Case* at = nullptr;
  for (const auto& c : w.cases)
    if (const uint64_t b = workloads::estimated_bytes(c.spec); b > worst) {
      worst = b;
      at = &c;
    }
  const uint64_t avail = mem_available();
  // Half of what is free: the stack under test, the results document and its checkpoints need
  // the other half.
  if (at && avail && worst > avail / 2) {
    uint64_t clients = 0;
    for (const auto& g : at->spec.groups) clients += g.clients;
    return fmt::format(
        "case '{}' needs about {} MiB for its {} clients' statistics and this machine has {} MiB "
        "available; use fewer clients, ops per mix or ramp steps",
        at->label, worst >> 20, clients, avail >> 20);
  }
  return {};
}

// Opens each configuration the workload's cases use, with a client in every guest they use;
// returns what the first case's device is (for the run's context). Throws with a one-line reason.
nlohmann::json describe_device(const workloads::Workload& w, const targets::TargetSpec& base) {
  nlohmann::json device = nlohmann::json::object();
  std::set<std::string> seen;
  for (const auto& c : w.cases) {
    targets::TargetSpec t;
    workloads::resolve_target(c.spec, base, &t);
    if (!seen.insert(targets::configuration(t).dump()).second) continue;
    auto stack = targets::open(t);
    if (auto e = workloads::check_guests(c.spec, *stack); !e.empty())
      throw std::runtime_error(fmt::format("{} (case {})", e, c.label));
    if (seen.size() > 1) continue;
    auto dev = stack->new_client(1);
    client::Context ctx(*dev);
    std::string why;
    if (!ctx.open(&why).ok()) throw std::runtime_error(why);
    device = {{"name", dev->name()},
              {"impl_id", ctx.version().impl_id},
              {"impl_caps", ctx.version().impl_caps},
              {"gen_caps", ctx.version().gen_caps}};
    const auto facts = stack->facts();
    for (const auto& [k, v] : facts.values()) device[k] = v;
    device["sources"] = facts.sources();
  }
  return device;
}

// Each included workload's scenario looks at its own cases; figures land under its name.
void analyze_parts(const workloads::Workload& w, reports::RunResult& run) {
  std::vector<std::string> parts;
  for (const auto& c : w.cases)
    if (std::find(parts.begin(), parts.end(), c.part) == parts.end()) parts.push_back(c.part);
  for (const auto& part : parts) {
    workloads::Workload pw = w;
    std::erase_if(pw.cases, [&](const workloads::Case& c) { return c.part != part; });
    reports::RunResult pr;
    for (const auto& c : run.cases)
      if (c.params.value("workload", "") == part) pr.cases.push_back(c);
    workloads::find_scenario(pw.cases[0].spec.scenario)->analyze_run(pw, pr);
    if (!pr.cases.empty())
      workloads::set_aside_expectations(pr.verdicts, pr.cases[0].timing_caveat);
    if (!pr.metrics.empty()) {
      if (parts.size() == 1)
        run.metrics = pr.metrics;
      else
        run.metrics[part] = pr.metrics;
    }
    for (auto& v : pr.verdicts) {
      if (parts.size() > 1) v.name = part + "/" + v.name;
      run.verdicts.push_back(std::move(v));
    }
  }
}

int run(const RunOptions& o) {
  // Workload-field overrides and stack knobs share --set: a path with a dot or a known workload
  // field is a workload field, anything else a knob of the stack.
  targets::TargetSpec base;
  if (auto e = targets::parse_target(o.target.target, {}, &base); !e.empty()) {
    fmt::print(stderr, "teebench: {}\n", e);
    return 2;
  }
  workloads::Workload w;
  try {
    w = workloads::load_workload(find_workload(o.workload), o.target.settings);
  } catch (const workloads::SpecError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  }
  for (const auto& c : w.cases) {
    const auto* scenario = workloads::find_scenario(c.spec.scenario);
    if (!scenario) {
      std::string names;
      for (const auto* s : workloads::scenarios())
        names += (names.empty() ? "" : ", ") + std::string(s->name);
      fmt::print(stderr, "{}: $.scenario: unknown scenario '{}' (known: {})\n", w.file,
                 c.spec.scenario, names);
      return 2;
    }
    if (auto e = workloads::check_roles(c.spec, *scenario); !e.empty()) {
      // In a suite, the path is in the included workload: name it.
      const std::string where = c.part == w.name ? w.file : w.file + ": workload " + c.part;
      fmt::print(stderr, "{}: {}\n", where, e);
      return 2;
    }
    targets::TargetSpec t;
    if (auto e = workloads::resolve_target(c.spec, base, &t); !e.empty()) {
      fmt::print(stderr, "{}: {}\n", w.file, e);
      return 2;
    }
  }
  std::map<std::string, std::string> label_map;
  if (!parse_labels(o.labels, &label_map)) return 2;
  const nlohmann::json labels = label_map;
  if (auto e = check_size(w); !e.empty()) {
    fmt::print(stderr, "{}: {}\n", w.file, e);
    return 2;
  }
  // Check the device answers before the run starts, and record what it is: as the first case
  // configures it, so stack knobs given with --set (optee_release=4.0.0...) show in the context.
  // Every other configuration the sweep makes is opened too, so that a bad profile or a guest
  // the stack does not have is said now, before the folder holds a failed run.
  nlohmann::json device = nlohmann::json::object();
  if (base.kind != targets::Kind::kQemu) {
    try {
      device = describe_device(w, base);
    } catch (const std::exception& e) {
      fmt::print(stderr, "teebench: {}\n", e.what());
      return 2;
    }
  }
  const std::string out =
      o.out.empty() ? fmt::format("results/{}-{}", w.name, reports::utc_now()) : o.out;
  OutFolder folder;
  if (auto e = folder.claim(out, o.force); !e.empty()) {
    fmt::print(stderr, "teebench: {}\n", e);
    return 2;
  }
  const std::string results_path = (fs::path(out) / "results.json").string();
  // Exporters start before anything is measured: a port in use or a bad URL is a usage error.
  std::vector<std::unique_ptr<reports::ResultSink>> sinks;
  if (!o.metrics.make({}, &sinks)) return 2;
  if (base.kind == targets::Kind::kQemu) {
    // Checked here with the same parser; the guest's teebench runs it against /dev/tee0.
    targets::qemu::GuestCommand g;
    const bool bundled = fs::path(w.file).parent_path() == fs::path(workload_dir());
    std::string guest_workload = o.workload;
    if (!bundled) {
      guest_workload = "/teebench/" + fs::path(w.file).filename().string();
      g.files.emplace_back(guest_workload, w.file);
    }
    g.argv = {"run", guest_workload, "--target", "/dev/tee0", "--out", "/tmp/out"};
    g.env.emplace_back("TEEBENCH_CHECKPOINT_CONSOLE", "1");
    for (const auto& s : o.target.settings) g.argv.insert(g.argv.end(), {"--set", s});
    for (const auto& l : o.labels) g.argv.insert(g.argv.end(), {"--label", l});
    return run_in_qemu(base, std::move(g), out, sinks);
  }

  const measure::Clock clock = measure::Clock::select(w.cases[0].spec.clock);
  reports::RunResult run;
  run.context = reports::host_context();
  run.context["teebench_version"] = TEEBENCH_VERSION;
  run.context["git_revision"] = TEEBENCH_GIT_REVISION;
  run.context["target"] = base.text;
  run.context["device"] = device;
  run.context["clock"] = clock.info().to_json();
  {
    // Which counters this machine has; per-case values are under each case's "perf".
    measure::PerfCounters probe;
    nlohmann::json support = nlohmann::json::object();
    const nlohmann::json counters = probe.to_json();
    for (const auto& [name, c] : counters.items())
      support[name] = c["supported"].get<bool>() ? nlohmann::json("supported") : c["error"];
    run.context["perf_counters"] = support;
  }
  run.context["labels"] = labels;
  // Names this run among others of the same workload (the Prometheus run_info series).
  run.context["run_id"] = fmt::format("{}-{}", w.name, reports::utc_now());
  run.context["workload_file"] = w.file;
  if (base.is_emu()) run.context["emulator_base_configuration"] = targets::configuration(base);
  run.workload = w.document;
  // What a case is, recorded before it runs: checkpoints of a running case carry it too, so its
  // metrics keep the same labels from the first interval to the end.
  for (auto& c : w.cases) {
    c.params["scenario"] = c.spec.scenario;
    c.params["workload"] = c.part;
    targets::TargetSpec t;
    workloads::resolve_target(c.spec, base, &t);
    c.params["configuration"] = targets::configuration(t);
  }

  // Cases x repetitions, interleaved at random when repeated so drift does not favour one case.
  std::vector<std::pair<size_t, uint32_t>> order;
  for (size_t i = 0; i < w.cases.size(); ++i)
    for (uint32_t r = 0; r < w.cases[i].spec.repetitions; ++r) order.emplace_back(i, r);
  if (w.cases[0].spec.repetitions > 1) {
    std::mt19937_64 rng(w.cases[0].spec.seed);
    std::shuffle(order.begin(), order.end(), rng);
  }

  catch_stop_signals(true);
  Progress progress(order.size());
  std::optional<CheckpointStream> stream;
  if (CheckpointStream::wanted()) stream.emplace();
  auto checkpoint = [&](const reports::CaseResult* partial) {
    nlohmann::json j = reports::to_json(run);
    if (partial) j["cases"].push_back(reports::to_json(*partial));
    reports::write_atomic(results_path, j.dump(1) + "\n");
    if (stream) stream->send(j, partial != nullptr);
    if (!sinks.empty()) {
      auto doc = std::make_shared<const nlohmann::json>(std::move(j));
      for (auto& s : sinks) s->publish(doc);
    }
    j = nlohmann::json();
    // A checkpoint builds and drops a large document; give the freed memory back so a long run's
    // resident size tracks what it holds, not the allocator's high-water mark.
    malloc_trim(0);
  };
  try {
    checkpoint(nullptr);
    for (size_t k = 0; k < order.size() && !g_stop; ++k) {
      const auto& c = w.cases[order[k].first];
      workloads::RunContext rc;
      rc.target = base;
      rc.clock = &clock;
      rc.stop = &g_stop;
      rc.on_interval = [&](const reports::CaseResult& partial, double elapsed) {
        progress.update(k, c.label, elapsed, partial);
        checkpoint(&partial);
      };
      rc.on_hang = [&](const reports::CaseResult& hung) {
        reports::CaseResult cr = hung;
        cr.params["workload"] = c.part;
        run.cases.push_back(std::move(cr));
        run.status = "failed";
        run.context["failure"] = "the stack hung: " + run.cases.back().verdicts.back().detail;
        checkpoint(nullptr);
        write_run_report(results_path, reports::to_json(run));
        for (auto& s : sinks) s->close();
        progress.break_line();
        fmt::print("{}", reports::run_summary(run, o.verbose));
        fmt::print(stderr, "teebench: {} (case {}); thread states and counters are in {}\n",
                   run.context["failure"].get<std::string>(), c.label, results_path);
        std::fflush(stdout);
        std::fflush(stderr);
        std::_Exit(1);
      };
      const reports::HostLoad host_load;
      reports::CaseResult cr = workloads::run_case(c, order[k].second, rc);
      // Whether the host was busy with other work while this case ran: its expectations are not
      // judged then (reports/expectations.h).
      cr.counters["host_others_cpu_share"] = host_load.others_cpu_share();
      progress.done_case(k, c.label, cr);
      workloads::find_scenario(c.spec.scenario)->analyze_case(c.spec, cr);
      workloads::set_aside_expectations(cr.verdicts, cr.timing_caveat);
      run.cases.push_back(std::move(cr));
      checkpoint(nullptr);
    }
    if (!g_stop) analyze_parts(w, run);
    reports::judge_expectations(run);
    run.status = g_stop ? "interrupted" : "complete";
    checkpoint(nullptr);
    write_run_report(results_path, reports::to_json(run));
  } catch (const std::exception& e) {
    run.status = "failed";
    run.context["failure"] = e.what();
    try {
      checkpoint(nullptr);
    } catch (...) {
    }
    for (auto& s : sinks) s->close();
    progress.break_line();
    fmt::print(stderr, "teebench: {}\n", e.what());
    fmt::print(stderr, "teebench: what was measured so far is in {}\n", results_path);
    return 2;
  }
  // The run is over: a signal now ends the process (results.json is written; a --serve waiting
  // for its last scrape is cut short).
  catch_stop_signals(false);
  for (auto& s : sinks) s->close();
  fmt::print("{}", reports::run_summary(run, o.verbose));
  fmt::print("\nresults: {} ({}), report.html beside it\n", results_path, run.status);
  if (run.status == "interrupted") return 128 + g_signal.load();
  return run.any_failed() ? 1 : 0;
}

}  // namespace

// Bundled workloads: beside the sources, or where TEEBENCH_WORKLOAD_DIR says (the qemu target's
// guest has them in /usr/share/teebench/workloads).
std::string workload_dir() {
  const char* e = std::getenv("TEEBENCH_WORKLOAD_DIR");
  return e && *e ? std::string(e) : std::string(TEEBENCH_WORKLOAD_DIR);
}

Runner add_run(CLI::App& app) {
  auto* cmd = app.add_subcommand("run",
                                 "Run a workload file (or a bundled workload by name) and "
                                 "write results.json");
  auto o = std::make_shared<RunOptions>();
  cmd->add_option("workload", o->workload, "WORKLOAD.json, or a bundled name (see teebench list)")
      ->required();
  o->target.add_to(cmd);
  cmd->add_option("--out", o->out, "output folder (default results/<workload>-<time>)");
  cmd->add_option("--label", o->labels,
                  "KEY=VALUE recorded in the result context and put on every metric, e.g. "
                  "optee_version=4.9.0 or board=rpi4 (repeatable)")
      ->type_name("KEY=VALUE");
  o->metrics.add_to(cmd, true);
  cmd->add_flag("--force", o->force, "replace a results.json already in the --out folder");
  cmd->add_flag("--verbose,-v", o->verbose,
                "in the summary, every repetition's figures besides the pooled ones");
  cmd->add_option("--duration", o->duration,
                  "the measured phase's length, e.g. 90s, 30m or 1h for a soak (same as --set "
                  "duration_s=SECONDS)");
  return [cmd, o]() {
    if (!*cmd) return -1;
    if (!o->duration.empty()) {
      std::string why;
      const std::string setting = duration_setting(o->duration, &why);
      if (setting.empty()) {
        fmt::print(stderr, "teebench: {}\n", why);
        return 2;
      }
      o->target.settings.push_back(setting);
    }
    return run(*o);
  };
}

Runner add_list(CLI::App& app) {
  auto* cmd = app.add_subcommand("list", "List the bundled workloads and the scenarios");
  return [cmd]() {
    if (!*cmd) return -1;
    // The bundled workloads, then the examples: one per kind of figure (docs/examples.md), run
    // by their listed name (`teebench run examples/starvation`).
    auto list_dir = [](const fs::path& dir, const std::string& prefix) {
      std::vector<fs::path> files;
      if (fs::is_directory(dir))
        for (const auto& e : fs::directory_iterator(dir))
          if (e.path().extension() == ".json") files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        std::string desc;
        try {
          const auto w = workloads::load_workload(f.string());
          desc = fmt::format("{} ({} case{})", w.description, w.cases.size(),
                             w.cases.size() == 1 ? "" : "s");
        } catch (const std::exception& e) {
          desc = std::string("INVALID: ") + e.what();
        }
        fmt::print("  {:<24} {}\n", prefix + f.stem().string(), desc);
      }
    };
    fmt::print("workloads ({}):\n", workload_dir());
    list_dir(workload_dir(), "");
    fmt::print("examples ({}/examples):\n", workload_dir());
    list_dir(fs::path(workload_dir()) / "examples", "examples/");
    fmt::print("scenarios:\n");
    for (const auto* s : workloads::scenarios()) {
      fmt::print("  {:<14} {}\n", s->name, s->help);
      // The group roles it analyses ("role" in a group; docs/scenarios.md).
      for (const auto& r : s->roles) fmt::print("  {:<14}   role {:<10} {}\n", "", r.name, r.help);
    }
    return 0;
  };
}

}  // namespace app
