// The qemu target: a real OP-TEE (TF-A + OP-TEE OS + U-Boot) booted under qemu-system-aarch64 with
// Debian's arm64 kernel, tee.ko/optee.ko and tee-supplicant, running a teebench command inside
// against /dev/tee0 and bringing its output folder home. How it boots and what each option
// means: docs/targets.md.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "targets/qemu/firmware.h"

namespace targets::qemu {

struct QemuOptions {
  Firmware firmware;
  // Deterministic mode: QEMU counts guest instructions (-icount shift=0,sleep=off,align=off)
  // with one vCPU and no random DTB seeds; latencies are then instruction counts (1 ns = 1
  // instruction), bit-identical between boots, not board time.
  bool icount = false;
  unsigned smp = 2;  // the fixture's OP-TEE is built for at most 4 cores
  unsigned memory_mb = 1024;
  // A boot that has not reached the command in this long is hung (the fixture boots in 4-8 s).
  double boot_timeout_s = 120;
  // A command that prints nothing for this long is hung (progress prints at least per case).
  double silence_timeout_s = 600;
  std::vector<std::string> qemu_args() const;
};

// Parses the part after "qemu:" — FIRMWARE[,icount][,smp=N][,mem=MB][,timeout=S][,boot_timeout=S]
// — and resolves
// the firmware. Throws std::runtime_error with a one-line message.
QemuOptions parse_options(const std::string& arg, const std::string& scratch);

struct GuestCommand {
  std::string program = "teebench";  // run inside the guest (from /usr/bin)
  std::vector<std::string> argv;     // its arguments
  // Extra files for the guest: guest path, host path.
  std::vector<std::pair<std::string, std::string>> files;
  // Environment of the command: name, value.
  std::vector<std::pair<std::string, std::string>> env;
};

struct GuestRun {
  bool completed = false;  // the command ran and exited
  int exit_code = 2;       // the command's
  std::string error;       // why it did not complete: boot failure, panic, hang
  bool results = false;    // the guest's output folder was unpacked into out_dir
  int checkpoints = 0;
  bool interrupted = false;  // stopped by SIGINT/SIGTERM to teebench                 // streamed
                             // checkpoints written to out_dir/results.json
  double tee0_s = 0;         // guest uptime when /dev/tee0 appeared
  double wall_s = 0;         // QEMU start to exit, host time
  std::string kernel;        // uname -r in the guest
  std::vector<std::string> optee_log;  // the driver's probe lines
  std::string qemu_version;
  std::vector<std::string> qemu_args;
  std::string ta_path;  // the folder of .ta files (every TA kind) installed in the guest
};

// Boots, runs `cmd`, unpacks the guest's /tmp/out into `out_dir` (when not empty) and keeps the
// consoles in `log_dir` (console.log: normal world, secure.log: OP-TEE). The command's stdout
// and stderr are relayed as they come. Throws std::runtime_error when it cannot start at all.
// What the guest's teebench is told about the machine it runs in (TEEBENCH_QEMU_FIRMWARE,
// TEEBENCH_QEMU, TEEBENCH_OPTEE_CONF, TEEBENCH_WORKLOAD_DIR), so that its results describe it.
void describe_to_guest(const QemuOptions& opts, GuestCommand* cmd);

// `on_results` (optional) gets each results document the guest streams home, as it lands.
GuestRun run_in_guest(const QemuOptions& opts, const GuestCommand& cmd, const std::string& out_dir,
                      const std::string& log_dir,
                      std::function<void(const nlohmann::json&)> on_results = {});

}  // namespace targets::qemu
