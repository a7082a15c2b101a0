#include "targets/target_spec.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#if defined(TEEBENCH_HAVE_EMULATOR)
#include "emu/config.h"
#include "targets/emu/emu_target.h"
#endif

namespace targets {

std::string TargetSpec::set(const std::string& key, const std::string& value) {
#if defined(TEEBENCH_HAVE_EMULATOR)
  // Checked against a scratch configuration so a bad value is reported where it was given (on a
  // real stack too: the knob names are the real ones, and a typo should not pass unnoticed).
  emu::EmuConfig scratch;
  if (auto e = emu::apply_setting(scratch, key, value); !e.empty()) return e;
#endif
  knobs.emplace_back(key, value);
  return {};
}

std::string parse_target(const std::string& text, const std::vector<std::string>& settings,
                         TargetSpec* out) {
  TargetSpec t;
  t.text = text;
  if (text == "emu") {
    t.kind = Kind::kEmu;
  } else if (text.rfind("/dev/", 0) == 0) {
    t.kind = Kind::kDevice;
    t.arg = text;
  } else if (text == "qemu" || text.rfind("qemu:", 0) == 0) {
    t.kind = Kind::kQemu;
    t.arg = text.size() > 5 ? text.substr(5) : "";
  } else {
    return "--target '" + text +
           "': use 'emu', a device path such as /dev/tee0, or qemu[:VERSION|FIRMWARE]";
  }
  for (const auto& s : settings) {
    if (t.kind != Kind::kEmu)
      return "--set " + s + ": stack knobs apply to the emulated stack only (--target emu)";
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) return "--set " + s + ": expected key=value";
    if (auto e = t.set(s.substr(0, eq), s.substr(eq + 1)); !e.empty()) return "--set " + e;
  }
  *out = std::move(t);
  return {};
}

nlohmann::json configuration(const TargetSpec& spec) {
#if defined(TEEBENCH_HAVE_EMULATOR)
  if (spec.is_emu()) return emu::to_json(emu_config(spec));
#endif
  (void)spec;
  return nullptr;
}

std::string canonical_knob(const std::string& key) {
#if defined(TEEBENCH_HAVE_EMULATOR)
  return std::string(emu::canonical_knob(key));
#else
  return key;
#endif
}

std::string knob_help() {
  std::string out;
#if defined(TEEBENCH_HAVE_EMULATOR)
  for (const auto& k : emu::knobs())
    out += fmt::format("\n  {:<22} {:<14} {}", k.name, k.alias, k.help);
#else
  out = " (this build has no emulated stack)";
#endif
  return out;
}

std::vector<Defect> defect_catalogue() {
  std::vector<Defect> out;
#if defined(TEEBENCH_HAVE_EMULATOR)
  for (const auto& d : emu::defects())
    out.push_back({std::string(d.name), std::string(d.upstream), std::string(d.behaviour)});
#endif
  return out;
}

}  // namespace targets
