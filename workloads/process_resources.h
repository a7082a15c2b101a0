// What teebench's own process holds over a run: resident memory, open file descriptors and
// threads, read from /proc/self at the case's interval points. A soak (a run of an hour, or the
// bundled `soak` workload) must show all three flat: a slow leak in the client library, the
// emulated stack or teebench itself shows here long before it shows as a failed call.
// The judgement rules and why are in docs/verdicts.md ("Soak: process resources").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "reports/results.h"

namespace workloads {

struct ResourceSample {
  double t_s = 0;  // since the measured phase began
  uint64_t rss_kib = 0;
  uint64_t fds = 0;
  uint64_t threads = 0;
};

// Reads /proc/self now; t_s < 0 where /proc is not mounted (nothing to record).
ResourceSample read_process_resources(double t_s);

class ProcessResources {
 public:
  // One reading at `t_s`; readings closer than kMinPeriodS to the last one are dropped (a run
  // with interval_s=0.01 would otherwise list /proc/self/fd 100 times a second for nothing).
  void sample(double t_s);
  // A reading taken elsewhere (tests give their own series).
  void add(const ResourceSample& s) { samples_.push_back(s); }
  const std::vector<ResourceSample>& samples() const { return samples_; }
  // {"samples": [[t_s, rss_kib, fds, threads], ...], "first": {...}, "last": {...}}; null when
  // nothing was read.
  nlohmann::json to_json() const;
  // rss_flat, fds_flat and threads_flat (invariants); nothing when the run was too short to tell
  // a trend from start-up (fewer than kMinSamples over less than kMinSpanS).
  void judge(std::vector<reports::Verdict>& out) const;

  // Once a second at most: a soak's trend is minutes long.
  static constexpr double kMinPeriodS = 1.0;
  // A trend needs a first and a last quarter of several readings each, and start-up (allocator
  // arenas, lazily built tables) over: 8 readings over at least a minute.
  static constexpr size_t kMinSamples = 8;
  static constexpr double kMinSpanS = 60.0;

 private:
  std::vector<ResourceSample> samples_;
};

}  // namespace workloads
