// `--target` and `--set` as the user wrote them, checked up front: `emu` (with stack knobs),
// a device node such as /dev/tee0, or `qemu[:FIRMWARE]`. Kept free of emulator types so that
// everything above the target layer can hold one.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

namespace targets {

enum class Kind { kEmu, kDevice, kQemu };

struct TargetSpec {
  Kind kind = Kind::kEmu;
  std::string text = "emu";  // as given on the command line
  std::string arg;           // device: the node; qemu: FIRMWARE ("" = the default release)
  // Stack knobs in the order given (later wins). Applied by the emulator; recorded elsewhere.
  std::vector<std::pair<std::string, std::string>> knobs;

  bool is_emu() const { return kind == Kind::kEmu; }
  // Adds a knob. For the emulator it is checked at once; returns "" or a one-line error.
  std::string set(const std::string& key, const std::string& value);
};

// Parses --target and its --set values. Returns "" or a one-line error.
std::string parse_target(const std::string& text, const std::vector<std::string>& settings,
                         TargetSpec* out);
// The resolved stack configuration (the emulator's every knob), or null where the target's
// configuration is not ours to set.
nlohmann::json configuration(const TargetSpec& spec);
// The one name a stack knob is stored under (its upstream name: threads -> CFG_NUM_THREADS), ""
// for a key that is no knob. A build without the emulator cannot tell: it returns the key as
// given, and the knob is recorded, not applied.
std::string canonical_knob(const std::string& key);
// One line per knob the emulator takes, for --help.
std::string knob_help();

// A known upstream defect the emulated stack can switch on with --set defect=NAME; the stress
// suite's sensitivity check runs each against every stress workload (docs/defects.md).
struct Defect {
  std::string name, upstream, behaviour;
};
std::vector<Defect> defect_catalogue();

}  // namespace targets
