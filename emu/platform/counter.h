// The platform's free-running counter in nanoseconds (the generic timer of an Arm board), shared
// by the cost model, the secure world's clock and its foreign-interrupt tick.
#pragma once

#include <time.h>

#include <cstdint>

namespace emu::platform {

inline uint64_t counter_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace emu::platform
