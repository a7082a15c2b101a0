// The cost model: how long the real hardware spends in each step the emulator performs. A platform
// profile (profiles/*.json) gives each value with its source; the emulator spends that time on the
// calling CPU, as the real step would. The `none` profile adds nothing, so the emulator's own
// software cost stays visible.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace emu::platform {

enum class Cost : uint8_t {
  kSmcRoundTrip,      // one world switch in and out through EL3 (fast call or std entry)
  kTaInvoke,          // entering and leaving a user TA (secure EL0 context switch)
  kMapPage,           // mapping one registered page into OP-TEE's shm VA window
  kUnmapPage,         // unmapping it again
  kMediatorTrap,      // hypervisor trap of a guest SMC and its return
  kMediatorPage,      // translating and pinning one guest page
  kMediatorCopyPage,  // copying one 4 KiB page between guest and hypervisor memory
  kTaLoad,            // checking a loaded TA's signature and mapping its ELF (per instance)
  kCount,
};

inline constexpr std::array<std::string_view, static_cast<size_t>(Cost::kCount)> kCostNames = {
    "smc_round_trip_ns", "ta_invoke_ns",     "map_page_ns",           "unmap_page_ns",
    "mediator_trap_ns",  "mediator_page_ns", "mediator_copy_page_ns", "ta_load_ns"};

struct CostValue {
  uint64_t ns = 0;
  std::string source;
};

struct Profile {
  std::string name = "none";
  std::string description = "adds no cost: shows the emulator's own software cost";
  std::array<CostValue, static_cast<size_t>(Cost::kCount)> costs{};
};

// Loads profile `name` from the profile directory (a bundled name such as "juno-a57", or a path to
// a JSON file). Throws std::runtime_error with a one-line message naming the problem.
Profile load_profile(const std::string& name_or_path);
// The bundled profile names.
std::string profiles_dir();

class CostModel {
 public:
  explicit CostModel(Profile profile = {});
  const Profile& profile() const { return profile_; }
  // Spends the time of `count` steps of kind `c` on this CPU (busy, as the real core would be).
  void charge(Cost c, uint64_t count = 1) const {
    const uint64_t ns = ns_[static_cast<size_t>(c)] * count;
    if (ns != 0) spin(ns);
  }
  uint64_t ns(Cost c) const { return ns_[static_cast<size_t>(c)]; }

 private:
  static void spin(uint64_t ns);
  Profile profile_;
  std::array<uint64_t, static_cast<size_t>(Cost::kCount)> ns_{};
};

}  // namespace emu::platform
