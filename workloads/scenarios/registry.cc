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

}  // namespace workloads
