// Choosing a device from the command line: `emu` (with --set knobs) or a device path.
#pragma once

#include <map>
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

// One instance of a target for a run: a board, or one emulated machine that several client
// processes share. Clients get a device each, as separate processes would.
class Stack {
 public:
  virtual ~Stack() = default;
  // Throws std::runtime_error with a one-line reason.
  static std::unique_ptr<Stack> open(const Target& t);
  // A client process in guest `guest` (1-based; without a hypervisor there is only guest 1).
  // Throws std::runtime_error naming the problem.
  virtual std::unique_ptr<Device> new_client(uint32_t guest) = 0;
  std::unique_ptr<Device> new_client() { return new_client(1); }
  virtual uint32_t guest_count() const { return 1; }
  // Destroys guest `guest` while everything else keeps running, and reports what the stack still
  // holds for it afterwards (all zero when it was released). Throws std::runtime_error where the
  // stack cannot do this (a board, or no hypervisor).
  virtual std::map<std::string, double> destroy_guest(uint32_t guest);
  // Counters from inside the stack where it exposes them (the emulator: secure thread states,
  // call-queue events, open sessions, shm objects). Empty for a real kernel device.
  virtual std::map<std::string, double> counters() const { return {}; }
  // What the stack says about itself beyond the UAPI (the emulator: OP-TEE revision, thread
  // count, driver generation, profile). Empty for a real kernel device, which does not tell.
  virtual std::map<std::string, std::string> properties() const { return {}; }
  // One line per secure thread ("thread 0 FREE"...), where known: evidence for invariant checks.
  virtual std::vector<std::string> thread_states() const { return {}; }
};

}  // namespace client
