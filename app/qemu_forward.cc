#include "app/qemu_forward.h"

#include <fmt/core.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "reports/results.h"

namespace app {
namespace fs = std::filesystem;

namespace {

nlohmann::json qemu_context(const targets::qemu::QemuOptions& o, const targets::qemu::GuestRun& r) {
  std::string args;
  for (const auto& a : r.qemu_args) args += (args.empty() ? "" : " ") + a;
  return {
      {"firmware", o.firmware.name},
      {"firmware_path", o.firmware.flash_bin},
      {"firmware_sha256", o.firmware.sha256},
      {"optee_build_revision", o.firmware.version},
      {"ta_dev_kit", o.firmware.dev_kit},
      {"ta", r.ta_path},
      {"qemu_version", r.qemu_version},
      {"qemu_args", args},
      {"smp", o.icount ? 1u : o.smp},
      {"accelerator", "tcg"},
      {"icount", o.icount},
      {"timing", o.icount ? "deterministic: -icount shift=0 counts guest instructions (1 ns = 1 "
                            "instruction); reproducible between boots, not board latency"
                          : "TCG wall clock: host-dependent, moves 7-70 % between boots; not board "
                            "latency"},
      {"kernel", r.kernel},
      {"optee_driver_log", r.optee_log},
      {"boot_to_tee0_s", r.tee0_s},
      {"wall_s", r.wall_s}};
}

// The guest wrote results.json knowing only /dev/tee0: say what it really ran on.
// `failure` (a guest that died mid-run): the last checkpoint it streamed is what was measured;
// its status "running" becomes `status` ("failed", or "interrupted") with the reason.
// Returns the annotated document (null if there was none to annotate).
nlohmann::json annotate_results(const std::string& path, const targets::TargetSpec& spec,
                                const nlohmann::json& qemu, const std::string& failure = {},
                                const std::string& status = "failed") {
  std::ifstream in(path);
  if (!in) return nullptr;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("context")) return nullptr;
  j["context"]["target"] = spec.text;
  j["context"]["guest_target"] = "/dev/tee0";
  j["context"]["qemu"] = qemu;
  if (!failure.empty()) {
    j["status"] = status;
    j["context"]["failure"] = "qemu target: " + failure;
  }
  reports::write_atomic(path, j.dump(1) + "\n");
  return j;
}

// The final document (as annotated and written) to every sink, then closes them.
void publish_final(nlohmann::json results,
                   const std::vector<std::unique_ptr<reports::ResultSink>>& sinks) {
  if (sinks.empty()) return;
  if (results.is_object()) {
    if (results.value("status", "running") == "running") results["status"] = "failed";
    const auto doc = std::make_shared<const nlohmann::json>(std::move(results));
    for (auto& s : sinks) s->publish(doc);
  }
  for (auto& s : sinks) s->close();
}

}  // namespace

int run_in_qemu(const targets::TargetSpec& spec, targets::qemu::GuestCommand cmd,
                const std::string& out,
                const std::vector<std::unique_ptr<reports::ResultSink>>& sinks) {
  std::string log_dir = out;
  if (log_dir.empty()) {
    char tmpl[] = "/tmp/teebench-qemu-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      fmt::print(stderr, "teebench: cannot create a folder for the QEMU logs in /tmp\n");
      return 2;
    }
    log_dir = tmpl;
  }
  targets::qemu::QemuOptions opts;
  try {
    opts = targets::qemu::parse_options(spec.arg, log_dir + "/.firmware");
  } catch (const std::exception& e) {
    fmt::print(stderr, "teebench: {}\n", e.what());
    return 2;
  }
  targets::qemu::describe_to_guest(opts, &cmd);
  fmt::print(stderr, "qemu: booting OP-TEE {} ({}{}) under TCG...\n", opts.firmware.name,
             opts.firmware.flash_bin, opts.icount ? ", deterministic icount mode" : "");
  targets::qemu::GuestRun r;
  try {
    // Live: each document the guest streams home, named as the final one will be.
    auto live = [&](const nlohmann::json& doc) {
      if (sinks.empty()) return;
      auto d = std::make_shared<nlohmann::json>(doc);
      (*d)["context"]["target"] = spec.text;
      if (d->value("status", "running") != "running") return;  // the annotated one follows
      std::shared_ptr<const nlohmann::json> c = std::move(d);
      for (auto& s : sinks) s->publish(c);
    };
    r = targets::qemu::run_in_guest(opts, cmd, out, log_dir, live);
  } catch (const std::exception& e) {
    fmt::print(stderr, "teebench: {}\n", e.what());
    return 2;
  }
  const std::string logs =
      fmt::format("{}/console.log (normal world) and {}/secure.log (OP-TEE)", log_dir, log_dir);
  if (!r.completed || !r.error.empty()) {
    if (!out.empty() && r.checkpoints > 0 && !r.results) {
      auto results = annotate_results(out + "/results.json", spec, qemu_context(opts, r), r.error,
                                      r.interrupted ? "interrupted" : "failed");
      if (results.is_object()) write_run_report(out + "/results.json", results);
      fmt::print(stderr, "teebench: what was measured before the guest stopped is in {}\n",
                 out + "/results.json");
      publish_final(std::move(results), sinks);
    }
    fmt::print(stderr, "teebench: qemu target: {}; see {}\n", r.error, logs);
    if (r.interrupted) return 130;  // as a local run that was interrupted
    return r.tee0_s > 0 ? 1 : 2;
  }
  fmt::print(stderr,
             "qemu: /dev/tee0 after {:.2f} s of guest uptime; boot, command and power-off "
             "took {:.1f} s\n",
             r.tee0_s, r.wall_s);
  if (!out.empty() && r.results) {
    // The page is rendered here, from the annotated results: the guest's own knew nothing of
    // QEMU (its timing caveats, firmware, icount).
    auto results = annotate_results(out + "/results.json", spec, qemu_context(opts, r));
    if (results.is_object()) write_run_report(out + "/results.json", results);
    publish_final(std::move(results), sinks);
  }
  if (!out.empty()) fmt::print(stderr, "qemu: results and consoles in {}\n", out);
  if (out.empty() && r.exit_code == 0 && !std::getenv("TEEBENCH_KEEP_QEMU_LOGS"))
    fs::remove_all(log_dir);
  return r.exit_code;
}

}  // namespace app
