// A fault injected into a running case at a chosen time (a guest destroyed with calls in flight,
// ...). Each injector runs on its own thread beside the clients so that a slow checkpoint cannot
// delay it, and writes what it did into the case's counters; the scenario that asked for it
// judges the outcome.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "measure/clock.h"
#include "reports/results.h"
#include "targets/target.h"
#include "workloads/spec.h"
#include "workloads/worker.h"

namespace workloads {

struct FaultContext {
  targets::Target& stack;
  const WorkloadSpec& spec;
  const measure::Clock& clock;
  const Timeline& timeline;
  const std::atomic<bool>& stop;
  std::vector<Worker>& workers;  // the clients, for faults that act on them
};

class FaultInjector {
 public:
  virtual ~FaultInjector() = default;
  // Runs until its faults are done or `stop` is set.
  virtual void run(const FaultContext& ctx) = 0;
  // After run() returned: records what was done (evidence for the scenario's verdicts).
  virtual void report(reports::CaseResult& result) const = 0;
};

// Each injector, for the groups whose fault is due (faults/*.cc).
std::unique_ptr<FaultInjector> make_guest_destroyer(std::vector<const GroupSpec*> due);
std::unique_ptr<FaultInjector> make_process_killer(std::vector<const GroupSpec*> due);

// The injectors a case's workload asks for and its target can do.
std::vector<std::unique_ptr<FaultInjector>> faults_for(const WorkloadSpec& spec,
                                                       const targets::Capabilities& caps);

}  // namespace workloads
