// Scenarios: what a workload's figures mean. Each scenario is one file ending in a const
// ScenarioInfo; scenarios.def lists them once (stress-ng's stressor table, style guide §2.6).
// A scenario derives metrics and verdicts per case and across the run; it never measures.
#pragma once

#include <string_view>
#include <vector>

#include "reports/results.h"
#include "workloads/spec.h"

namespace workloads {

struct ScenarioInfo {
  std::string_view name;
  std::string_view help;  // one line, for `teebench list`
  // Per case, after it ran: add metrics and verdicts.
  void (*analyze_case)(const WorkloadSpec& spec, reports::CaseResult& result);
  // Across all cases of the run, after the last one.
  void (*analyze_run)(const Workload& workload, reports::RunResult& result);
};

#define TEEBENCH_SCENARIO(name) extern const ScenarioInfo k_##name##_scenario;
#include "workloads/scenarios/scenarios.def"
#undef TEEBENCH_SCENARIO

const std::vector<const ScenarioInfo*>& scenarios();
const ScenarioInfo* find_scenario(std::string_view name);

}  // namespace workloads
