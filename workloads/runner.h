// Runs one case of a workload: builds the stack, starts a thread per client, paces them, and
// collects per-operation statistics with interval series. The caller checkpoints through the
// interval callback and stops the case early through `stop`.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "measure/clock.h"
#include "reports/results.h"
#include "targets/target.h"
#include "workloads/spec.h"

namespace workloads {

struct RunContext {
  targets::TargetSpec target;  // base target; the case's stack knobs apply on top
  const measure::Clock* clock = nullptr;
  std::atomic<bool>* stop = nullptr;  // set on SIGINT
  // Called every interval with the case's results so far (for checkpoints and progress).
  std::function<void(const reports::CaseResult& partial, double elapsed_s)> on_interval;
  // The watchdog found the stack hung (see WorkloadSpec::watchdog_s): gets the case's result with
  // the failed verdict and must not return. The hung client threads cannot be joined, so the
  // process ends without unwinding.
  std::function<void(const reports::CaseResult& result)> on_hang;
};

// Applies the case's stack knobs to `base`. Returns a one-line error ("" if fine).
// Where the case's timing is not board timing (CaseResult::timing_caveat), its performance
// expectations (throughput plateau, recovery, neighbour latency, registered vs tmpref) are
// reported as skipped with the caveat and what was measured, instead of passing or failing.
void set_aside_expectations(std::vector<reports::Verdict>& verdicts, const std::string& caveat);

std::string resolve_target(const WorkloadSpec& spec, const targets::TargetSpec& base,
                           targets::TargetSpec* out);

// Why the case's groups cannot get clients on `stack` ("" if they can): a group in a guest the
// stack does not have. Groups the target cannot run at all are skipped, not refused.
std::string check_guests(const WorkloadSpec& spec, const targets::Target& stack);

// About how much memory a case's clients take while it runs (their latency histograms dominate:
// ~220 KiB per client, op statistic and ramp step), so that a workload too big for the machine is
// refused before it starts.
uint64_t estimated_bytes(const WorkloadSpec& spec);

// Throws std::runtime_error when the stack or a client cannot be set up.
reports::CaseResult run_case(const Case& c, uint32_t repetition, const RunContext& ctx);

}  // namespace workloads
