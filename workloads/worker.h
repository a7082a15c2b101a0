// The client side of a case: one Worker per client, each on its own thread running client_loop
// (warm-up, then the measured phase, paced closed or open loop).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "measure/clock.h"
#include "workloads/client.h"
#include "workloads/op_stats.h"
#include "workloads/spec.h"

namespace workloads {

// One client's thread state: its statistics per (ramp step, op stat).
struct Worker {
  const GroupSpec* group = nullptr;
  uint32_t index = 0;  // within its group
  std::unique_ptr<Client> client;
  std::vector<std::vector<std::unique_ptr<OpStats>>> stats;  // [step][stat]
  // Calls issued per op of the mix: written by the client, read by the coordinator.
  std::unique_ptr<std::atomic<uint64_t>[]> issued;
  std::unique_ptr<measure::Recorder> lag;              // open loop
  std::vector<std::pair<uint64_t, uint64_t>> samples;  // (t_ns, latency_ns)
  std::vector<std::vector<OpStats*>> op_stats;         // [step * mix + op] -> its stats
  std::string failure;
  // When its last call returned (seconds since t0; -1 while running). Read by the coordinator.
  std::unique_ptr<std::atomic<double>> finished_s = std::make_unique<std::atomic<double>>(-1);
  // The op of the mix it is inside the stack with, -1 between calls: the watchdog's evidence
  // names what the calls still in flight were (warm-up calls included, which `issued` omits).
  std::unique_ptr<std::atomic<int>> in_call = std::make_unique<std::atomic<int>>(-1);
  // Starvation (ClientSummary::longest_gap_ns): when its last call completed, or its active
  // window began (ns since t0; -1 while it is not active), and the longest gap so far.
  std::unique_ptr<std::atomic<int64_t>> last_completion_ns =
      std::make_unique<std::atomic<int64_t>>(-1);
  std::unique_ptr<std::atomic<uint64_t>> longest_gap_ns =
      std::make_unique<std::atomic<uint64_t>>(0);
  // The longest gap as of `now_ns` (since t0), counting the one still open while it runs.
  uint64_t gap_as_of(int64_t now_ns, bool running) const;
};

// Builds a worker for client thread `index` of `g`, a thread of `process` (which its group's
// other threads of that process share).
Worker make_worker(targets::Target& stack, const GroupSpec& g, uint32_t index, uint64_t seed,
                   std::shared_ptr<ClientProcess> process);

struct Timeline {
  uint64_t t0 = 0;   // start of the measured phase (ticks)
  uint64_t end = 0;  // end of the measured phase, 0 for operation-count runs
  // For the watchdog: calls inside the stack right now, and calls that have come back.
  mutable std::atomic<int64_t> in_flight{0};
  mutable std::atomic<uint64_t> returned{0};
};

// Sleeps until `target` or until `stop` is set, whichever is first (Ctrl-C during a warm-up or a
// late group's wait ends the case at once).
void sleep_until(const measure::Clock& clock, uint64_t target, const std::atomic<bool>& stop);

// Performs op `op` of the worker's mix as one call of ramp step `step`: counts it issued and in
// flight for the watchdog, records it (unless `record` is false: warm-up), notes its completion
// for starvation, and keeps its sample. `intended` is when its latency clock starts.
void perform(Worker& w, size_t op, size_t step, const measure::Clock& clock, const Timeline& tl,
             uint64_t intended, bool record);
// The ramp step active `rel_ticks` into the measured phase.
size_t ramp_step_at(const GroupSpec& g, const measure::Clock& clock, uint64_t rel_ticks);

// A scripted client's life in the case (workloads/script.h): warm-up transactions unrecorded,
// then recorded ones until the run ends, then the script's closing steps.
void run_script(Worker& w, const WorkloadSpec& spec, const measure::Clock& clock,
                const Timeline& tl, std::atomic<bool>& stop);

// One client's whole life in the case: warm-up (if its group starts with the run), then the
// measured phase. Records its failure and when it finished in `w`.
void run_worker(Worker& w, const WorkloadSpec& spec, const measure::Clock& clock,
                const Timeline& tl, std::atomic<bool>& stop);

}  // namespace workloads
