// `--target qemu[:FIRMWARE]`: the command runs inside a real OP-TEE booted under QEMU
// (targets/qemu), against /dev/tee0, and its results come home as if it had run here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "reports/sink.h"
#include "targets/qemu/qemu_target.h"
#include "targets/target_spec.h"

namespace app {

// Runs `cmd` (teebench's arguments in the guest) on the qemu target `spec`. With `out` set, the
// guest's output folder lands there with the consoles (console.log, secure.log) beside it, and
// results.json's context records what ran; otherwise the consoles go to a temporary folder
// named when something goes wrong. Returns the command's exit code; 2 when the guest could not
// be booted, 1 when it hung or died under the command.
// `sinks` get each results document as it comes home, and the final one.
int run_in_qemu(const targets::TargetSpec& spec, targets::qemu::GuestCommand cmd,
                const std::string& out,
                const std::vector<std::unique_ptr<reports::ResultSink>>& sinks = {});

}  // namespace app
