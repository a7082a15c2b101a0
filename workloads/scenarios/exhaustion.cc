// Secure thread-pool exhaustion: far more callers than CFG_NUM_THREADS. Derives, per case: the
// throughput ceiling and how close the bulk clients get to it, queue wait (latency minus the
// requested service time), ETHREAD_LIMIT returns, fairness across callers, starvation of the
// keep-alive client, and recovery after the load stops.
#include <fmt/core.h>

#include <algorithm>
#include <thread>

#include "workloads/scenarios/fit.h"
#include "workloads/scenarios/scenario.h"

namespace workloads {
// Named inside the anonymous namespace: the library compiles as one unity TU
// (workloads/CMakeLists.txt), where every scenario has its own analyze_case.
namespace {
namespace exhaustion {

using reports::CaseResult;
using reports::Outcome;

const GroupSpec* group(const WorkloadSpec& s, std::string_view role) {
  const auto gs = groups_with_role(s, role);
  return gs.empty() ? nullptr : gs.front();
}

double service_ns(const OpSpec& op) {
  if (op.kind == OpKind::kWait) return op.wait_ms * 1e6;
  if (op.kind == OpKind::kHold) return op.hold_us * 1e3;
  return 0;
}

void analyze_bulk(const GroupSpec& bulk, CaseResult& r) {
  const auto* res = r.find(bulk.name, bulk.mix[0].name);
  if (!res || res->count == 0) return;
  const double svc = service_ns(bulk.mix[0]);
  const double active_s = res->duration_s;  // the group's active window, drain included
  // The thread count the stack really had (its counter), never the workload's knob as written:
  // the knob may be spelt either way, be a string, or be overridden by --set.
  const auto st = r.counters.find("secure_threads");
  if (st == r.counters.end() || !st->is_number() || st->get<double>() <= 0) {
    r.verdicts.push_back({"throughput_plateau",
                          Outcome::kSkipped,
                          "not judged: this target does not report its secure thread count "
                          "(CFG_NUM_THREADS), so the ceiling is unknown",
                          {}});
    return;
  }
  const double threads = st->get<double>();
  const double cpus = std::thread::hardware_concurrency();
  const double parallel = std::min<double>(threads, bulk.clients);
  const double ceiling = svc > 0 ? parallel * 1e9 / svc : 0;
  const double throughput = active_s > 0 ? res->count / active_s : 0;
  std::vector<double> per_client;
  uint64_t p99_min = UINT64_MAX, p99_max = 0;
  for (const auto& c : res->clients) {
    per_client.push_back(static_cast<double>(c.count));
    p99_min = std::min(p99_min, c.p99_ns);
    p99_max = std::max(p99_max, c.p99_ns);
  }
  auto qw = [&](double p) {
    return std::max(0.0, static_cast<double>(res->latency.percentile(p)) - svc);
  };
  r.metrics["throughput_per_s"] = throughput;
  r.metrics["ceiling_per_s"] = ceiling;
  r.metrics["ceiling_basis"] =
      fmt::format("min(threads {}, callers {}) / service {} us", threads, bulk.clients, svc / 1e3);
  r.metrics["throughput_vs_ceiling"] = ceiling > 0 ? throughput / ceiling : 0;
  r.metrics["queue_wait_ns"] = {{"p50", qw(50)}, {"p99", qw(99)}, {"max", qw(100)}};
  r.metrics["jain_fairness"] = jain_index(per_client);
  // Starvation beside fairness: each caller's longest time without a completion. The worst is the
  // caller the queue served least; the median is what a typical caller saw.
  std::vector<uint64_t> gaps;
  for (const auto& c : res->clients) gaps.push_back(c.longest_gap_ns);
  std::sort(gaps.begin(), gaps.end());
  if (!gaps.empty())
    r.metrics["longest_gap_ns"] = {{"worst", gaps.back()}, {"median", gaps[gaps.size() / 2]}};
  r.metrics["per_caller_p99_ns"] = {
      {"min", p99_min},
      {"max", p99_max},
      {"spread", p99_min ? static_cast<double>(p99_max) / p99_min : 0}};
  if (r.counters.contains("ethread_limit_returns"))
    r.metrics["ethread_limit_returns"] = r.counters["ethread_limit_returns"];
  if (r.counters.contains("call_queue_waits"))
    r.metrics["call_queue_waits"] = r.counters["call_queue_waits"];
  // The deepest the driver's queue got (exact), beside the sampled occupancy's peaks.
  if (r.counters.contains("call_queue_sleeping_peak"))
    r.metrics["call_queue_sleeping_peak"] = r.counters["call_queue_sleeping_peak"];
  if (r.occupancy.is_object()) r.metrics["occupancy_peak"] = r.occupancy["peak"];
  // On the emulator a busy (HOLD) secure thread occupies a host CPU, as it would a core; the
  // callers need a CPU of their own to keep it fed. With fewer CPUs the ceiling is not reachable
  // here, and judging it would only measure the host.
  if (bulk.mix[0].kind == OpKind::kHold && threads >= cpus && bulk.clients >= threads) {
    r.verdicts.push_back(
        {"throughput_plateau",
         Outcome::kSkipped,
         fmt::format("HOLD with {} busy secure threads needs more than {} host CPUs", threads,
                     cpus),
         {}});
  } else if (bulk.clients >= threads && ceiling > 0) {
    const double ratio = throughput / ceiling;
    const bool ok = ratio >= 0.9 && ratio <= 1.1;
    r.verdicts.push_back({"throughput_plateau",
                          ok ? Outcome::kPass : Outcome::kFail,
                          fmt::format("{:.0f} calls/s = {:.1f}% of the ceiling {:.0f}/s",
                                      throughput, 100 * ratio, ceiling),
                          {{"throughput_per_s", throughput}, {"ceiling_per_s", ceiling}}});
  }
}

void analyze_keepalive(const GroupSpec* bulk, const GroupSpec& ka, CaseResult& r) {
  const auto* res = r.find(ka.name, ka.mix[0].name);
  if (!res) return;
  r.metrics["keepalive_max_ns"] = res->latency.max();
  uint64_t gap = 0;
  for (const auto& c : res->clients) gap = std::max(gap, c.longest_gap_ns);
  r.metrics["keepalive_longest_gap_ns"] = gap;
  r.metrics["keepalive_p99_ns"] = res->latency.percentile(99);
  if (!bulk || res->samples.empty()) return;
  // Baseline: the keep-alive's latency before the bulk load starts.
  std::vector<uint64_t> base;
  for (const auto& [t, l] : res->samples)
    if (t < bulk->start_s) base.push_back(l);
  if (base.empty() || !bulk->stop_s) return;
  std::sort(base.begin(), base.end());
  const uint64_t threshold = std::max<uint64_t>(2 * base[base.size() * 99 / 100], 20000);
  // Recovery: from the end of the load to the first sample after which every sample is back
  // under the threshold.
  double recovered_at = -1;
  for (auto it = res->samples.rbegin(); it != res->samples.rend(); ++it) {
    if (it->first < *bulk->stop_s) break;
    if (it->second > threshold) break;
    recovered_at = it->first;
  }
  r.metrics["keepalive_baseline_p99_ns"] = base[base.size() * 99 / 100];
  const bool ok = recovered_at >= 0;
  if (ok) r.metrics["recovery_s"] = recovered_at - *bulk->stop_s;
  r.verdicts.push_back(
      {"recovery",
       ok ? Outcome::kPass : Outcome::kFail,
       ok ? fmt::format("keep-alive back under {} us {:.3f} s after the load stopped",
                        threshold / 1000, recovered_at - *bulk->stop_s)
          : "keep-alive latency never returned to its baseline",
       {{"threshold_ns", threshold}}});
}

void analyze_case(const WorkloadSpec& spec, CaseResult& r) {
  const GroupSpec* bulk = group(spec, "bulk");
  if (bulk) analyze_bulk(*bulk, r);
  if (const GroupSpec* ka = group(spec, "keepalive")) analyze_keepalive(bulk, *ka, r);
}

}  // namespace exhaustion
}  // namespace

const ScenarioInfo k_exhaustion_scenario = {
    "exhaustion",
    "more callers than secure threads: plateau vs threads/service time, queue wait, "
    "ETHREAD_LIMIT, fairness, keep-alive starvation and recovery",
    {{"bulk", "the flood of callers: plateau against the ceiling, queue wait, fairness"},
     {"keepalive", "one light caller beside the flood: starvation and recovery after it"}},
    true,
    exhaustion::analyze_case,
    [](const Workload&, reports::RunResult&) {},
};

}  // namespace workloads
