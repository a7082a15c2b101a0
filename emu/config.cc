#include "emu/config.h"

#include <charconv>
#include <functional>
#include <nlohmann/json.hpp>

namespace emu {
namespace {

using linux_tee::optee::DriverGen;
using Setter = std::function<std::string(EmuConfig&, std::string_view)>;

struct Knob {
  KnobInfo info;
  Setter set;
};

// "'v' is not what", built by appending: the same text written as operator+ chains makes GCC 12
// at -O3 report a false -Wrestrict inside std::string.
std::string not_a(std::string_view v, std::string_view what) {
  std::string s;
  s.reserve(v.size() + what.size() + 10);
  s += '\'';
  s.append(v);
  s += "' is not ";
  s.append(what);
  return s;
}

std::string parse_u64(std::string_view v, uint64_t min, uint64_t max, uint64_t* out) {
  uint64_t mult = 1;
  if (!v.empty()) {
    switch (v.back()) {
      case 'K':
      case 'k':
        mult = 1024;
        v.remove_suffix(1);
        break;
      case 'M':
      case 'm':
        mult = 1024 * 1024;
        v.remove_suffix(1);
        break;
      case 'G':
      case 'g':
        mult = uint64_t{1} << 30;
        v.remove_suffix(1);
        break;
      default:
        break;
    }
  }
  uint64_t x = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || ptr != v.data() + v.size() || v.empty()) return not_a(v, "a number");
  x *= mult;
  if (x < min || x > max)
    return "value " + std::to_string(x) + " is outside " + std::to_string(min) + ".." +
           std::to_string(max);
  *out = x;
  return {};
}

std::string parse_bool(std::string_view v, bool* out) {
  if (v == "y" || v == "yes" || v == "1" || v == "true" || v == "on")
    *out = true;
  else if (v == "n" || v == "no" || v == "0" || v == "false" || v == "off")
    *out = false;
  else
    return not_a(v, "y or n");
  return {};
}

template <typename T>
Setter number(T EmuConfig::*group, auto member, uint64_t min, uint64_t max, uint64_t align = 1) {
  return [=](EmuConfig& c, std::string_view v) {
    uint64_t x = 0;
    if (auto e = parse_u64(v, min, max, &x); !e.empty()) return e;
    if (x % align) return std::to_string(x) + " is not a multiple of " + std::to_string(align);
    (c.*group).*member = static_cast<std::remove_reference_t<decltype((c.*group).*member)>>(x);
    return std::string();
  };
}

const std::vector<Knob>& table() {
  static const std::vector<Knob> t = {
      {{"CFG_NUM_THREADS", "threads", "secure threads (per guest); the std-call concurrency"},
       number(&EmuConfig::os, &optee_os::Config::num_threads, 1, 256)},
      {{"CFG_CORE_DYN_SHM", "dyn_shm", "y/n: dynamic (registered) shared memory"},
       [](EmuConfig& c, std::string_view v) { return parse_bool(v, &c.os.core_dyn_shm); }},
      {{"CFG_CORE_RESERVED_SHM", "reserved_shm", "y/n: the static shared-memory carve-out"},
       [](EmuConfig& c, std::string_view v) { return parse_bool(v, &c.os.core_reserved_shm); }},
      {{"CFG_SHMEM_SIZE", "carveout_size", "bytes of the static carve-out (K/M suffix)"},
       number(&EmuConfig::mem, &platform::PhysMemLayout::carveout_size, 4096, uint64_t{1} << 30,
              4096)},
      {{"optee_release", "release",
        "4.9.0 or 4.0.0: the OP-TEE release modelled (its revision and qemu_v8 defaults; set "
        "first, later knobs override its defaults)"},
       [](EmuConfig& c, std::string_view v) {
         for (const auto* r : {&optee_os::kOptee4_9_0, &optee_os::kOptee4_0_0})
           if (v == r->name) {
             c.os.release = r->name;
             c.os.revision_major = r->revision_major;
             c.os.revision_minor = r->revision_minor;
             c.os.core_heap_size = r->core_heap_size;
             return std::string();
           }
         return not_a(v, "4.9.0 or 4.0.0");
       }},
      {{"CFG_CORE_HEAP_SIZE", "heap_size", "bytes of OP-TEE core heap (bounds registrations)"},
       number(&EmuConfig::os, &optee_os::Config::core_heap_size, 1024, uint64_t{1} << 30)},
      {{"ns_ddr_size", "ddr", "bytes of non-secure DDR for processes and the kernel (K/M/G)"},
       number(&EmuConfig::mem, &platform::PhysMemLayout::ns_ddr_size, 1u << 20, uint64_t{64} << 30,
              4096)},
      {{"foreign_intr_tick_us", "tick_us",
        "normal-world timer tick preempting secure work (0=off)"},
       number(&EmuConfig::os, &optee_os::Config::foreign_intr_tick_us, 0, 1000000)},
      {{"driver", "driver", "Linux OP-TEE driver generation: 6.8 (thread counting) or pre-6.8"},
       [](EmuConfig& c, std::string_view v) {
         if (v == "6.8" || v == "6.8+" || v == "new")
           c.driver.gen = DriverGen::k6_8;
         else if (v == "pre-6.8" || v == "old" || v == "6.1")
           c.driver.gen = DriverGen::kPre6_8;
         else
           return not_a(v, "6.8 or pre-6.8");
         return std::string();
       }},
      {{"hypervisor", "hypervisor",
        "none, or xen: guests reach OP-TEE through Xen's mediator (turns on "
        "CFG_NS_VIRTUALIZATION)"},
       [](EmuConfig& c, std::string_view v) {
         if (v == "none") {
           c.hypervisor = HypervisorKind::kNone;
         } else if (v == "xen") {
           c.hypervisor = HypervisorKind::kXen;
           c.os.ns_virtualization = true;
         } else {
           return not_a(v, "none or xen");
         }
         return std::string();
       }},
      {{"CFG_NS_VIRTUALIZATION", "virtualization",
        "y/n: OP-TEE partitions per guest (set by hypervisor=xen)"},
       [](EmuConfig& c, std::string_view v) { return parse_bool(v, &c.os.ns_virtualization); }},
      {{"CFG_VIRT_GUEST_COUNT", "guest_count", "guests OP-TEE can hold partitions for"},
       number(&EmuConfig::os, &optee_os::Config::virt_guest_count, 1, 64)},
      {{"guests", "guests", "guest domains started with hypervisor=xen"},
       [](EmuConfig& c, std::string_view v) {
         uint64_t x = 0;
         if (auto e = parse_u64(v, 1, 64, &x); !e.empty()) return e;
         c.guests = static_cast<uint32_t>(x);
         return std::string();
       }},
      {{"guest_ram", "guest_ram", "RAM of each guest domain (K/M/G; a multiple of 32K)"},
       [](EmuConfig& c, std::string_view v) {
         uint64_t x = 0;
         if (auto e = parse_u64(v, 1u << 20, uint64_t{4} << 30, &x); !e.empty()) return e;
         if (x % (32 * 1024)) return std::to_string(x) + " is not a multiple of 32K";
         c.guest_ram = x;
         return std::string();
       }},
      {{"defect", "defect",
        "known bugs to switch on, comma separated: ocall-deadlock, ctx-pinned, mobj-map-leak, "
        "or none "
        "(docs/defects.md)"},
       [](EmuConfig& c, std::string_view v) {
         auto& d = c.driver.defects;
         d = {};
         c.os.defect_mobj_map_leak = false;
         while (!v.empty()) {
           const auto comma = v.find(',');
           const std::string_view name = v.substr(0, comma);
           if (name == "ocall-deadlock")
             d.ocall_deadlock = true;
           else if (name == "ctx-pinned")
             d.ctx_pinned_by_arg_cache = true;
           else if (name == "mobj-map-leak")
             c.os.defect_mobj_map_leak = true;
           else if (name != "none")
             return not_a(name,
                          "ocall-deadlock, ctx-pinned, mobj-map-leak or none (docs/defects.md)");
           v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
         }
         return std::string();
       }},
      {{"ta_store", "ta_store",
        "ree (a new TA instance is loaded through tee-supplicant, as from /lib/optee_armtz) or "
        "early (the TAs are linked into OP-TEE: CFG_EARLY_TA; docs/ta.md)"},
       [](EmuConfig& c, std::string_view v) {
         if (v != "ree" && v != "early") return not_a(v, "ree or early");
         c.os.early_tas = v == "early";
         return std::string();
       }},
      {{"supplicant", "supplicant",
        "y/n: run tee-supplicant (needed by plugin RPCs, and to load TAs with ta_store=ree)"},
       [](EmuConfig& c, std::string_view v) { return parse_bool(v, &c.supplicant); }},
      {{"profile", "profile", "platform cost profile: none, juno-a57, or a path to a JSON file"},
       [](EmuConfig& c, std::string_view v) {
         if (v.empty()) return std::string("profile needs a name");
         c.profile = v;
         return std::string();
       }},
  };
  return t;
}

}  // namespace

const std::vector<DefectInfo>& defects() {
  static const std::vector<DefectInfo> d = {
      {"ocall-deadlock", "linaro-swg/linux PR #72 (the OCALL series, first revision)",
       "no extra shm references while an OCALL is pending and no cancel on fd close: a client "
       "dying mid-OCALL with 2 secure threads deadlocks both"},
      {"ctx-pinned", "Linux drivers/tee/optee call.c argument cache; cf. commit aceeafefff73",
       "argument-cache pages allocated on the caller's context keep that context alive after its "
       "process is gone"},
      {"mobj-map-leak", "OP-TEE/optee_os pull request #4410 (core: mobj: fix memory leak)",
       "the last user of a registered buffer's mapping does not unmap it: every use leaks its "
       "pages "
       "of OP-TEE's 32 MiB shared-memory VA window until registered memory fails with "
       "out-of-memory"},
  };
  return d;
}

const std::vector<KnobInfo>& knobs() {
  static const std::vector<KnobInfo> k = [] {
    std::vector<KnobInfo> out;
    for (const auto& e : table()) out.push_back(e.info);
    return out;
  }();
  return k;
}

std::string_view canonical_knob(std::string_view key) {
  for (const auto& k : table())
    if (key == k.info.name || key == k.info.alias) return k.info.name;
  return {};
}

std::string apply_setting(EmuConfig& cfg, std::string_view key, std::string_view value) {
  for (const auto& k : table()) {
    if (key == k.info.name || key == k.info.alias) {
      std::string e = k.set(cfg, value);
      return e.empty() ? e : std::string(key) + ": " + e;
    }
  }
  std::string names;
  for (const auto& k : table()) names += (names.empty() ? "" : ", ") + std::string(k.info.alias);
  return "unknown setting '" + std::string(key) + "' (known: " + names + ")";
}

std::string apply_setting(EmuConfig& cfg, std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) return not_a(assignment, "key=value");
  return apply_setting(cfg, assignment.substr(0, eq), assignment.substr(eq + 1));
}

const char* to_string(DriverGen gen) { return gen == DriverGen::k6_8 ? "6.8" : "pre-6.8"; }

nlohmann::json to_json(const EmuConfig& c) {
  return {{"CFG_NUM_THREADS", c.os.num_threads},
          {"CFG_CORE_DYN_SHM", c.os.core_dyn_shm},
          {"CFG_CORE_RESERVED_SHM", c.os.core_reserved_shm},
          {"CFG_SHMEM_SIZE", c.mem.carveout_size},
          {"optee_release", c.os.release},
          {"CFG_CORE_HEAP_SIZE", c.os.core_heap_size},
          {"ns_ddr_size", c.mem.ns_ddr_size},
          {"foreign_intr_tick_us", c.os.foreign_intr_tick_us},
          {"driver", to_string(c.driver.gen)},
          {"hypervisor", c.hypervisor == HypervisorKind::kXen ? "xen" : "none"},
          {"CFG_NS_VIRTUALIZATION", c.os.ns_virtualization},
          {"CFG_VIRT_GUEST_COUNT", c.os.virt_guest_count},
          {"guests", c.guests},
          {"guest_ram", c.guest_ram},
          {"supplicant", c.supplicant},
          {"ta_store", c.os.early_tas ? "early" : "ree"},
          {"defect_ocall_deadlock", c.driver.defects.ocall_deadlock},
          {"defect_ctx_pinned", c.driver.defects.ctx_pinned_by_arg_cache},
          {"defect_mobj_map_leak", c.os.defect_mobj_map_leak},
          {"profile", c.profile}};
}

}  // namespace emu
