// Choosing a device from the command line: `emu` (with --set knobs) or a device path.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "emu/config.h"
#include "teebench/tee/device.h"

namespace client {

struct Target {
  std::string spec = "emu";  // "emu" or "/dev/teeN"
  emu::EmuConfig emu;        // used when spec == "emu"
  bool is_emu() const { return spec == "emu"; }
};

// Parses --target and --set values into `t`. Returns a one-line error, or "" on success.
std::string configure_target(Target& t, const std::string& spec,
                             const std::vector<std::string>& settings);
// Opens the target's device. Throws std::runtime_error with a one-line message that says what to
// do.
std::unique_ptr<Device> open_target(const Target& t);

}  // namespace client
