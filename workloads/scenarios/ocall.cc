// TA -> client round trips. Per case: the cost of one round trip (the invoke's latency over the
// round trips it made) and that as a multiple of the null invoke measured alongside; the clients
// killed inside their OCALL handler died cleanly. Across the run: the in-thread OCALL protocol
// against the upstream supplicant-plugin path at each payload size.
#include <map>

#include "workloads/scenarios/scenario.h"

namespace workloads {
// Named inside the anonymous namespace: the library compiles as one unity TU
// (workloads/CMakeLists.txt), where every scenario has its own analyze_case.
namespace {
namespace ocall {

using reports::CaseResult;
using reports::Outcome;

void analyze_case(const WorkloadSpec& spec, CaseResult& r) {
  const reports::OpResult* null = nullptr;
  for (const auto* g : groups_with_role(spec, "baseline"))
    for (const auto& op : g->mix)
      if (op.kind == OpKind::kNop && !null) null = r.find(g->name, op.name);
  const double null_p50 = null && null->count ? null->latency.percentile(50) : 0;
  for (const auto& g : spec.groups) {
    for (const auto& op : g.mix) {
      const auto* o = r.find(g.name, op.name);
      if (!o || !o->count) continue;
      if (op.kind == OpKind::kOcall || op.kind == OpKind::kPlugin) {
        const double p50 = static_cast<double>(o->latency.percentile(50));
        const double per = p50 / op.calls;
        r.metrics["round_trip"] = {{"path", op.name},
                                   {"bytes", op.bytes},
                                   {"per_invoke", op.calls},
                                   {"invoke_p50_ns", p50},
                                   {"invoke_p99_ns", o->latency.percentile(99)},
                                   {"per_round_trip_ns", per},
                                   {"null_invoke_p50_ns", null_p50},
                                   {"x_null_invoke", null_p50 > 0 ? per / null_p50 : 0}};
      }
      if (op.kind == OpKind::kOcallCrash) {
        const bool ok = o->error_total() == 0;
        r.metrics["client_death"] = {{"deaths", o->count},
                                     {"p50_ns", o->latency.percentile(50)},
                                     {"max_ns", o->latency.max()}};
        r.verdicts.push_back({"client_death_mid_ocall_released",
                              ok ? Outcome::kPass : Outcome::kFail,
                              ok ? "every client killed in its OCALL handler was released"
                                 : "a client killed mid-OCALL was not cleanly released",
                              o->errors});
      }
    }
  }
}

void analyze_run(const Workload&, reports::RunResult& run) {
  // path -> bytes -> per round trip ns (16 per invoke, where it ran)
  nlohmann::json table = nlohmann::json::object();
  for (const auto& c : run.cases) {
    if (!c.metrics.contains("round_trip")) continue;
    const auto& rt = c.metrics["round_trip"];
    table[rt["path"].get<std::string>()][std::to_string(rt["bytes"].get<uint32_t>()) + "B x" +
                                         std::to_string(rt["per_invoke"].get<uint32_t>())] = {
        {"per_round_trip_ns", rt["per_round_trip_ns"]}, {"x_null_invoke", rt["x_null_invoke"]}};
  }
  run.metrics["round_trips"] = table;
}

}  // namespace ocall
}  // namespace

const ScenarioInfo k_ocall_scenario = {
    "ocall",
    "TA -> client round trips: in-thread OCALL vs supplicant plugin, per payload and count, as a "
    "multiple of the null invoke; clients killed mid-OCALL",
    {{"baseline", "null invokes measured alongside: the round trip as a multiple of one"}},
    false,  // the round trips are found by op (ocall, plugin, ocall_crash)
    ocall::analyze_case,
    ocall::analyze_run,
};

}  // namespace workloads
