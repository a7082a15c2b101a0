// Timestamps for measurements. The monotonic clock always works; the raw cycle counter (TSC on
// x86-64, CNTVCT on arm64) is cheaper to read (~7 ns vs ~16 ns here) and is used when it is
// invariant and calibrated. The chosen clock goes into the result context.
#pragma once

#include <time.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace measure {

enum class ClockSource { kMonotonic, kCycleCounter };

struct ClockInfo {
  ClockSource source = ClockSource::kMonotonic;
  std::string name = "CLOCK_MONOTONIC";
  double resolution_ns = 1;
  double ticks_per_ns = 1;  // counter frequency
  std::string why;          // why this clock was chosen (or the counter was refused)
  nlohmann::json to_json() const;
};

class Clock {
 public:
  // "auto" picks the cycle counter when invariant, else the monotonic clock; "monotonic" and
  // "cycles" force one ("cycles" falls back, with the reason, when unusable).
  static Clock select(const std::string& preference);

  uint64_t now() const {  // ticks
#if defined(__x86_64__)
    if (info_.source == ClockSource::kCycleCounter) return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    if (info_.source == ClockSource::kCycleCounter) {
      uint64_t v;
      asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
      return v;
    }
#endif
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
  }
  uint64_t to_ns(uint64_t ticks) const {
    return info_.source == ClockSource::kMonotonic
               ? ticks
               : static_cast<uint64_t>(static_cast<unsigned __int128>(ticks) * mult_ >> 32);
  }
  uint64_t from_ns(uint64_t ns) const {
    return info_.source == ClockSource::kMonotonic
               ? ns
               : static_cast<uint64_t>(static_cast<double>(ns) * info_.ticks_per_ns);
  }
  const ClockInfo& info() const { return info_; }

 private:
  ClockInfo info_;
  uint64_t mult_ = uint64_t{1} << 32;  // ns per tick in 32.32 fixed point
};

// Nanoseconds on CLOCK_MONOTONIC, for coarse bookkeeping outside timed loops.
uint64_t mono_ns();

}  // namespace measure
