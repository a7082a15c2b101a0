// The generic scenario: the operations' figures as measured, and the run's common invariants.
#include "workloads/scenarios/scenario.h"

namespace workloads {

const ScenarioInfo k_generic_scenario = {
    "generic",
    "runs the workload as written; reports latency, throughput and common invariants",
    {},
    false,
    [](const WorkloadSpec&, reports::CaseResult&) {},
    [](const Workload&, reports::RunResult&) {},
};

}  // namespace workloads
