// The generic scenario: the operations' figures as measured, the run's common invariants, and per
// group how evenly its clients were served.
#include <algorithm>
#include <map>

#include "workloads/scenarios/fit.h"
#include "workloads/scenarios/scenario.h"

namespace workloads {
namespace {

// Per group: starvation, the worst and median of its clients' longest gaps without a completion,
// and beside it (two or more clients) Jain's fairness over the clients' completed operations (a
// scripted group's transactions; 1 = all equal, 1/n = one client got everything).
void client_figures(const WorkloadSpec& spec, reports::CaseResult& r) {
  nlohmann::json groups = nlohmann::json::object();
  for (const auto& g : spec.groups) {
    std::map<uint32_t, double> done;
    std::map<uint32_t, uint64_t> gap;
    for (const auto& op : r.ops) {
      if (op.group != g.name) continue;
      if (g.script && op.op != "transaction") continue;
      for (const auto& c : op.clients) {
        done[c.client] += static_cast<double>(c.count);
        gap[c.client] = std::max(gap[c.client], c.longest_gap_ns);
      }
    }
    if (done.empty()) continue;
    std::vector<double> per_client;
    std::vector<uint64_t> gaps;
    for (const auto& [client, n] : done) {
      per_client.push_back(n);
      gaps.push_back(gap[client]);
    }
    std::sort(gaps.begin(), gaps.end());
    nlohmann::json& out = groups[g.name];
    out = {{"clients", per_client.size()},
           {"longest_gap_ns", {{"worst", gaps.back()}, {"median", gaps[gaps.size() / 2]}}}};
    if (per_client.size() >= 2) out["jain_fairness"] = jain_index(per_client);
  }
  if (!groups.empty()) r.metrics["clients"] = groups;
}

}  // namespace

const ScenarioInfo k_generic_scenario = {
    "generic",
    "runs the workload as written; reports latency, throughput, per-group fairness and "
    "starvation, and common invariants",
    {},
    false,
    client_figures,
    [](const Workload&, reports::RunResult&) {},
};

}  // namespace workloads
