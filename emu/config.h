// The emulated stack's configuration: the knobs of the real components, settable by name with
// `--set key=value`. The table in config.cc is the one place a knob is defined (name, aliases,
// help, parser), so `teebench info`, `--help` and the result context all echo the same set.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "emu/linux_tee/optee/optee_private.h"
#include "emu/optee_os/config.h"
#include "emu/platform/phys_mem.h"
#include "emu/xen/optee.h"

namespace emu {

enum class HypervisorKind { kNone, kXen };

struct EmuConfig {
  optee_os::Config os;
  linux_tee::optee::DriverConfig driver;
  platform::PhysMemLayout mem;
  std::string profile = "none";
  HypervisorKind hypervisor = HypervisorKind::kNone;
  uint32_t guests = 1;                  // guests created at start under Xen
  size_t guest_ram = size_t{64} << 20;  // RAM of each guest
  xen::MediatorLimits xen;
  bool supplicant = true;  // each kernel runs tee-supplicant
};

struct KnobInfo {
  std::string_view name;   // the upstream name, e.g. CFG_NUM_THREADS
  std::string_view alias;  // the short name, e.g. threads
  std::string_view help;
};

const std::vector<KnobInfo>& knobs();
// The upstream name of a knob given by name or alias (threads -> CFG_NUM_THREADS), or "" when
// there is no such knob. A workload stores each knob under this one name, so that a file's
// `threads` and a `--set CFG_NUM_THREADS` are the same key and the later one wins.
std::string_view canonical_knob(std::string_view key);

// The defect catalogue: known upstream bugs the emulator can switch on (knob `defect`), each off
// by default, so that a stress scenario can be shown to catch them (docs/defects.md).
struct DefectInfo {
  std::string_view name;       // the knob value, e.g. ctx-pinned
  std::string_view upstream;   // the issue, commit or patch series it comes from
  std::string_view behaviour;  // what goes wrong, one line
};
const std::vector<DefectInfo>& defects();
// Applies one `key=value`. Returns an empty string, or a one-line error naming the problem.
std::string apply_setting(EmuConfig& cfg, std::string_view key, std::string_view value);
// Same for "key=value" text.
std::string apply_setting(EmuConfig& cfg, std::string_view assignment);
nlohmann::json to_json(const EmuConfig& cfg);
const char* to_string(linux_tee::optee::DriverGen gen);

}  // namespace emu
