// What the stack is busy with during a case, over time: secure threads busy and suspended and
// callers asleep in the driver, sampled at every poll of the case's coordinator (1-5 ms), kept as
// the maximum per interval and over the case. Counters alone give a total and an end snapshot (0
// once the load has stopped); this shows the queue building and draining, and its peak.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "targets/target.h"

namespace workloads {

class OccupancySampler {
 public:
  explicit OccupancySampler(double sample_period_ms) : period_ms_(sample_period_ms) {}
  // One reading, in the measured phase.
  void sample(const targets::Target::Occupancy& now);
  // Ends the interval at `t_s` (since the measured phase began): one point of the series.
  void close_interval(double t_s);
  // {"sample_period_ms", "peak": {...}, "series": [{"t_s", ...}]}; null if the target showed
  // nothing (a real device: docs/targets.md).
  nlohmann::json to_json() const;

 private:
  struct Maxima {
    std::optional<double> busy, suspended, sleeping;
    void add(const targets::Target::Occupancy& o);
    nlohmann::json to_json() const;
  };
  double period_ms_;
  Maxima interval_, peak_;
  std::vector<std::pair<double, Maxima>> series_;
  bool any_ = false;
};

}  // namespace workloads
