#include "workloads/scenarios/scenario.h"

namespace workloads {

const std::vector<const ScenarioInfo*>& scenarios() {
  static const std::vector<const ScenarioInfo*> all = {
#define TEEBENCH_SCENARIO(name) &k_##name##_scenario,
#include "workloads/scenarios/scenarios.def"
#undef TEEBENCH_SCENARIO
  };
  return all;
}

const ScenarioInfo* find_scenario(std::string_view name) {
  for (const auto* s : scenarios())
    if (s->name == name) return s;
  return nullptr;
}

namespace {

std::string role_list(const ScenarioInfo& s) {
  if (s.roles.empty()) return "it has none";
  std::string out;
  for (const auto& r : s.roles) out += (out.empty() ? "" : ", ") + std::string(r.name);
  return "its roles: " + out;
}

}  // namespace

std::string check_roles(const WorkloadSpec& spec, const ScenarioInfo& scenario) {
  bool any = false;
  for (size_t i = 0; i < spec.groups.size(); ++i) {
    const GroupSpec& g = spec.groups[i];
    if (g.role.empty()) continue;
    bool known = false;
    for (const auto& r : scenario.roles) known = known || r.name == g.role;
    if (!known)
      return "$.groups[" + std::to_string(i) + "].role: scenario " + std::string(scenario.name) +
             " has no role '" + g.role + "' (" + role_list(scenario) + "; docs/scenarios.md)";
    any = any || g.clients > 0;
  }
  if (scenario.needs_role && !any)
    return "$.groups: scenario " + std::string(scenario.name) +
           " analyses groups by role, and no group with clients has one: give a group \"role\" (" +
           role_list(scenario) + "; docs/scenarios.md)";
  return {};
}

const Case* case_of(const Workload& workload, const reports::CaseResult& result) {
  for (const auto& k : workload.cases)
    if (k.label == result.label || k.part + ": " + k.label == result.label) return &k;
  return nullptr;
}

std::vector<const GroupSpec*> groups_with_role(const WorkloadSpec& spec, std::string_view role) {
  std::vector<const GroupSpec*> out;
  for (const auto& g : spec.groups)
    if (g.role == role) out.push_back(&g);
  return out;
}

}  // namespace workloads
