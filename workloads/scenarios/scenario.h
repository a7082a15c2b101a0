// Scenarios: what a workload's figures mean. Each scenario is one file ending in a const
// ScenarioInfo; scenarios.def lists them once (stress-ng's stressor table, style guide §2.6).
// A scenario derives metrics and verdicts per case and across the run; it never measures.
#pragma once

#include <string_view>
#include <vector>

#include "reports/results.h"
#include "workloads/spec.h"

namespace workloads {

// A part a group can play in a scenario's analysis (GroupSpec::role).
struct Role {
  std::string_view name;
  std::string_view help;  // one line: what the scenario derives from such a group
};

struct ScenarioInfo {
  std::string_view name;
  std::string_view help;  // one line, for `teebench list`
  std::vector<Role> roles;
  // The scenario derives nothing without a group in one of its roles: such a workload is refused
  // rather than run to an empty `metrics`.
  bool needs_role;
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
// Why `spec` does not fit `scenario`'s roles ("" if it does): a role the scenario does not have,
// or none of its roles when it needs one. Names the group and lists the roles.
std::string check_roles(const WorkloadSpec& spec, const ScenarioInfo& scenario);
// The workload case a result belongs to (its label, prefixed by its part in a suite), or nullptr.
const Case* case_of(const Workload& workload, const reports::CaseResult& result);
// The groups playing `role`, in the workload's order.
std::vector<const GroupSpec*> groups_with_role(const WorkloadSpec& spec, std::string_view role);

}  // namespace workloads
