// The result model of a run and its JSON form (design §4): a context, then per case and operation
// the counts, errors by kind, throughput, percentiles, the histogram itself, interval series and
// verdicts. Written atomically; a checkpoint is the same document with status "running".
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "measure/histogram.h"

namespace reports {

struct IntervalPoint {
  double t_s = 0;  // end of the interval, since the measured phase started
  uint64_t count = 0;
  uint64_t errors = 0;
  uint64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
};

struct ClientSummary {
  uint32_t client = 0;
  uint64_t count = 0;
  uint64_t errors = 0;
  uint64_t p99_ns = 0;
  uint64_t max_ns = 0;
  double throughput_per_s = 0;
  // The client's longest time without a completed call while active (across all its ops, from
  // its group's start to its last completion, or to now while it runs): starvation shows here
  // even for a client that never completes, which has no latency at all.
  uint64_t longest_gap_ns = 0;
  // When it finished (seconds into the measured phase), -1 while it runs.
  double finished_s = -1;
};

// When a group's clients finished an operation-count run (seconds into the measured phase): how
// far apart equal work ends is the unfairness users see ("the last thread finishes 3x later").
struct CompletionSummary {
  uint32_t clients = 0;
  double min_s = 0, p50_s = 0, p90_s = 0, max_s = 0;
};

struct StepSummary {
  double step = 0;  // active clients or rate
  uint64_t count = 0;
  double throughput_per_s = 0;
  uint64_t p50_ns = 0, p99_ns = 0;
};

struct OpResult {
  std::string group;
  std::string op;
  uint32_t guest = 1;  // the guest the group's clients run in (1 without a hypervisor)
  uint64_t count = 0;  // successful calls
  std::map<std::string, uint64_t> errors;
  uint64_t issued = 0;
  double duration_s = 0;
  double throughput_per_s = 0;
  measure::Histogram latency;
  std::optional<measure::Histogram> schedule_lag;  // open loop
  std::vector<IntervalPoint> intervals;
  std::vector<ClientSummary> clients;
  std::vector<StepSummary> steps;
  std::vector<std::pair<double, uint64_t>> samples;  // (t_s, latency_ns) if recorded
  // Operation-count runs, once every client of the group has finished.
  std::optional<CompletionSummary> completion;
  uint64_t error_total() const;
};

enum class Outcome { kPass, kFail, kSkipped };

struct Verdict {
  std::string name;
  Outcome outcome = Outcome::kPass;
  std::string detail;
  nlohmann::json evidence = nlohmann::json::object();
};

struct CaseResult {
  std::string label;
  nlohmann::json params = nlohmann::json::object();
  uint32_t repetition = 0;
  bool complete = false;
  double duration_s = 0;
  std::vector<OpResult> ops;
  // Stack counters (targets::StackCounters::available()): after the case, or as of the last
  // interval while it runs.
  nlohmann::json counters = nlohmann::json::object();
  nlohmann::json perf = nlohmann::json::object();
  // Secure threads busy/suspended and callers asleep in the driver over the case, sampled every
  // few ms: the peak and the maximum per interval (workloads/occupancy.h); null where the target
  // cannot see inside.
  nlohmann::json occupancy = nullptr;
  nlohmann::json metrics = nlohmann::json::object();  // scenario-derived figures
  std::vector<Verdict> verdicts;
  // Why this case's latencies are not board timing (e.g. TCG under QEMU), "" when they are:
  // performance expectations are then reported, not judged.
  std::string timing_caveat;
  const OpResult* find(const std::string& group, const std::string& op) const;
};

struct RunResult {
  nlohmann::json context = nlohmann::json::object();
  nlohmann::json workload = nlohmann::json::object();
  std::string status = "running";  // running | complete | interrupted | failed
  std::vector<CaseResult> cases;
  nlohmann::json metrics = nlohmann::json::object();  // across cases (scenario summary)
  std::vector<Verdict> verdicts;
  bool any_failed() const;
};

nlohmann::json to_json(const OpResult& r);
nlohmann::json to_json(const CaseResult& c);
nlohmann::json to_json(const RunResult& r);
const char* to_string(Outcome o);

// Whether a verdict is an expectation about performance shape (a throughput plateau, recovery
// after load, a neighbour's latency, one path cheaper than another), which host noise can upset,
// rather than a correctness invariant (no lost call, no leak, no deadlock), which holds on any
// host. Names may carry a workload part's prefix ("exhaustion/recovery").
bool is_expectation(std::string_view verdict_name);

// Writes `content` to `path` through a temporary file in the same folder and rename(2), so readers
// see the old or the new file, never half of one. Throws std::runtime_error naming the problem.
void write_atomic(const std::string& path, const std::string& content);

}  // namespace reports
