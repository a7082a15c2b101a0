// Merges the workers' statistics into per-(group, op) results while a case runs and after it,
// keeping each op's interval series.
#pragma once

#include <vector>

#include "reports/results.h"
#include "workloads/spec.h"
#include "workloads/worker.h"

namespace workloads {

class Collector {
  using OpResult = reports::OpResult;

 public:
  Collector(std::vector<Worker>& workers, const WorkloadSpec& spec)
      : workers_(workers), operation_count_(spec.operations.has_value()) {
    for (const auto& g : spec.groups)
      for (size_t i = 0; i < g.mix.size(); ++i) {
        const auto names = stat_names(g.mix[i]);
        for (size_t k = 0; k < names.size(); ++k)
          slots_.push_back(Slot{&g, i, k, names[k], {}, 0, {}});
      }
  }

  // Everything measured so far, with rates over `elapsed_s`; adds an interval point ending there
  // when `add_point` (the points' times must only grow: after the end of the measured phase,
  // while calls drain, no point is added until the final one).
  std::vector<OpResult> collect(double elapsed_s, bool add_point = true);

 private:
  struct Slot {
    const GroupSpec* group;
    size_t op;   // index in the mix
    size_t sub;  // which of the op's statistics
    std::string name;
    measure::Histogram last;
    uint64_t last_errors;
    std::vector<reports::IntervalPoint> intervals;
  };

  OpResult collect_slot(Slot& slot, size_t s, double elapsed_s, bool add_point);

  std::vector<Worker>& workers_;
  const bool operation_count_;  // runs a number of operations per client, not a duration
  std::vector<Slot> slots_;
  measure::Histogram scratch_;
};

}  // namespace workloads
