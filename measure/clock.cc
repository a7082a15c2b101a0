#include "measure/clock.h"

#include <fstream>
#include <sstream>
#include <thread>

namespace measure {

uint64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

nlohmann::json ClockInfo::to_json() const {
  return {{"name", name},
          {"resolution_ns", resolution_ns},
          {"ticks_per_ns", ticks_per_ns},
          {"reason", why}};
}

namespace {

// Whether the cycle counter ticks at a constant rate through frequency and idle states.
bool counter_invariant(std::string* why) {
#if defined(__x86_64__)
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    const bool constant = line.find(" constant_tsc") != std::string::npos;
    const bool nonstop = line.find(" nonstop_tsc") != std::string::npos;
    if (constant && nonstop) return true;
    *why = "TSC is not invariant (needs constant_tsc and nonstop_tsc)";
    return false;
  }
  *why = "no CPU flags in /proc/cpuinfo";
  return false;
#elif defined(__aarch64__)
  (void)why;
  return true;  // the generic timer has a fixed frequency by architecture
#else
  *why = "no cycle counter support on this architecture";
  return false;
#endif
}

}  // namespace

Clock Clock::select(const std::string& preference) {
  Clock c;
  timespec res{};
  clock_getres(CLOCK_MONOTONIC, &res);
  c.info_.resolution_ns = static_cast<double>(res.tv_nsec);
  if (preference == "monotonic") {
    c.info_.why = "requested";
    return c;
  }
  std::string why;
  if (!counter_invariant(&why)) {
    c.info_.why = why + "; using CLOCK_MONOTONIC";
    return c;
  }
  // Calibrate against CLOCK_MONOTONIC over 20 ms.
  Clock probe;
  probe.info_.source = ClockSource::kCycleCounter;
  const uint64_t t0 = mono_ns();
  const uint64_t c0 = probe.now();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const uint64_t t1 = mono_ns();
  const uint64_t c1 = probe.now();
  const double ticks_per_ns = static_cast<double>(c1 - c0) / static_cast<double>(t1 - t0);
  if (!(ticks_per_ns > 0.01)) {
    c.info_.why = "cycle counter calibration failed; using CLOCK_MONOTONIC";
    return c;
  }
  c.info_.source = ClockSource::kCycleCounter;
#if defined(__x86_64__)
  c.info_.name = "TSC";
#else
  c.info_.name = "CNTVCT";
#endif
  c.info_.ticks_per_ns = ticks_per_ns;
  c.info_.resolution_ns = 1.0 / ticks_per_ns;
  c.info_.why = preference == "auto" ? "invariant, calibrated against CLOCK_MONOTONIC over 20 ms"
                                     : "requested; calibrated over 20 ms";
  c.mult_ = static_cast<uint64_t>((1.0 / ticks_per_ns) * 4294967296.0);
  return c;
}

}  // namespace measure
