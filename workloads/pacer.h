// Open-loop pacing: the intended start of each call, at a constant rate or with Poisson arrivals,
// and a precise wait for it (sleep most of the way, spin the rest). Latency is measured from the
// intended start, so a stalled system is charged for the calls it delayed (coordinated omission).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <thread>

#include "measure/clock.h"
#include "workloads/spec.h"

namespace workloads {

class Pacer {
 public:
  Pacer(const measure::Clock& clock, Arrival arrival, uint64_t seed)
      : clock_(clock), arrival_(arrival), rng_(seed) {}
  // The gap to the next intended start at `rate_per_s`, in clock ticks.
  uint64_t gap(double rate_per_s) {
    const double mean_ns = 1e9 / rate_per_s;
    const double ns = arrival_ == Arrival::kPoisson
                          ? std::exponential_distribution<double>(1.0 / mean_ns)(rng_)
                          : mean_ns;
    return clock_.from_ns(static_cast<uint64_t>(ns));
  }
  // A spin-wait hint: lets the sibling hyperthread (x86 PAUSE) or the core (arm64 YIELD) run.
  static void cpu_relax() {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  // Waits until the clock reads `target`. Returns the tick it returned at.
  uint64_t wait_until(uint64_t target) const {
    uint64_t now = clock_.now();
    while (now < target) {
      const uint64_t left_ns = clock_.to_ns(target - now);
      if (left_ns > 200000)
        std::this_thread::sleep_for(std::chrono::nanoseconds(left_ns - 100000));
      else
        cpu_relax();
      now = clock_.now();
    }
    return now;
  }

 private:
  const measure::Clock& clock_;
  Arrival arrival_;
  std::mt19937_64 rng_;
};

}  // namespace workloads
