#include "workloads/runner.h"

#include <fmt/core.h>

#include <algorithm>
#include <barrier>
#include <cstdlib>
#include <thread>

#include "measure/perf_counters.h"
#include "workloads/collector.h"
#include "workloads/faults/fault.h"
#include "workloads/invariants.h"
#include "workloads/latency_probe.h"
#include "workloads/occupancy.h"
#include "workloads/process_resources.h"
#include "workloads/worker.h"

namespace workloads {
namespace {

// Which operations the calls still in flight belong to, and how many of each.
nlohmann::json in_flight_ops(const std::vector<Worker>& workers) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& w : workers)
    if (const int op = w.in_call->load(std::memory_order_relaxed); op >= 0) {
      const std::string key = w.group->name + "/" + w.group->mix[static_cast<size_t>(op)].name;
      out[key] = out.value(key, 0) + 1;
    }
  return out;
}

}  // namespace

void set_aside_expectations(std::vector<reports::Verdict>& verdicts, const std::string& caveat) {
  if (caveat.empty()) return;
  for (auto& v : verdicts)
    if (reports::is_expectation(v.name) && v.outcome != reports::Outcome::kSkipped) {
      v.detail = "not judged: " + caveat + " (measured: " + v.detail + ")";
      v.outcome = reports::Outcome::kSkipped;
    }
}

std::string resolve_target(const WorkloadSpec& spec, const targets::TargetSpec& base,
                           targets::TargetSpec* out) {
  *out = base;
  if (spec.stack.empty()) return {};
  // On a real stack the knobs are recorded (run_case says they were not applied).
  // The workload's knobs go first so that --set, already in `base`, wins over the file.
  std::vector<std::pair<std::string, std::string>> from_file;
  for (const auto& [k, v] : spec.stack.items()) {
    const std::string value = v.is_string()    ? v.get<std::string>()
                              : v.is_boolean() ? (v.get<bool>() ? "y" : "n")
                                               : v.dump();
    targets::TargetSpec scratch;
    if (auto e = scratch.set(k, value); !e.empty()) return "$.stack." + e;
    from_file.emplace_back(k, value);
  }
  out->knobs.insert(out->knobs.begin(), from_file.begin(), from_file.end());
  return {};
}

// Why `g` cannot run on a target with `caps` ("" if it can): the parts that exist only in the
// emulator (docs/targets.md) are skipped with this reason, never failed or silently dropped.
std::string unsupported_by(const GroupSpec& g, const targets::Capabilities& caps) {
  for (const auto& op : g.mix) {
    if ((op.kind == OpKind::kOcall || op.kind == OpKind::kOcallCrash) && !caps.ocall_protocol)
      return "op " + op.name +
             " needs the in-thread OCALL protocol, which is not upstream (only the emulator has "
             "it)";
    if (op.kind == OpKind::kOcallCrash && !caps.kill_client)
      return "op " + op.name + " kills a client process, which this target cannot do";
  }
  if (g.guest > 1 && !caps.guests)
    return "guest " + std::to_string(g.guest) + " needs a hypervisor with guests on this target";
  if (g.kill_s && !caps.kill_client)
    return "killing a client process mid-run needs a target that can (the emulator)";
  if (g.destroy_guest_s && !caps.destroy_guest)
    return "destroying a guest mid-run needs a target that can (the emulator with Xen)";
  return {};
}

std::string check_guests(const WorkloadSpec& spec, const targets::Target& stack) {
  const targets::Capabilities caps = stack.capabilities();
  for (const auto& g : spec.groups)
    if (g.clients && unsupported_by(g, caps).empty() && g.guest > stack.guest_count())
      return fmt::format("$.groups.{}.guest: guest {} does not exist: the stack has {} (set {})",
                         g.name, g.guest, stack.guest_count(),
                         caps.guests ? "stack.guests" : "stack.hypervisor=xen and stack.guests");
  return {};
}

uint64_t estimated_bytes(const WorkloadSpec& spec) {
  constexpr uint64_t kRecorder = measure::Histogram::kCountsLen * sizeof(uint64_t);
  // Per client besides its histograms: its thread's touched stack, the emulated process with its
  // context and session, and the client's buffers; measured at about 100 KiB on the emulator,
  // doubled for the real stack's libteec-like state.
  constexpr uint64_t kClientOverhead = 200 * 1024;
  constexpr uint64_t kSample = sizeof(std::pair<uint64_t, uint64_t>);
  uint64_t total = 0;
  for (const auto& g : spec.groups) {
    uint64_t stats = 0;
    for (const auto& op : g.mix) stats += stat_names(op).size();
    const uint64_t steps = std::max<uint64_t>(1, g.ramp.size());
    uint64_t per_client = steps * stats * kRecorder + kClientOverhead;
    if (g.pacing == Pacing::kOpen) per_client += kRecorder;
    if (g.record_samples) per_client += kSample << 20;  // reserved up front (run_case)
    total += g.clients * per_client;
    total += stats * 2 * kRecorder;  // the collector's previous and merged histograms
  }
  return total;
}

namespace {

// One case, run in named steps (as Google Benchmark's runner splits a benchmark's run): open the
// stack, make the clients, start their threads and the fault injectors, coordinate (interval
// points, checkpoints, the watchdog) until the clients are done, then collect and check the
// invariants. The threads are always joined, whatever throws in between.
class CaseRunner {
 public:
  CaseRunner(const Case& c, uint32_t repetition, const RunContext& ctx)
      : case_(c),
        spec_(c.spec),
        repetition_(repetition),
        ctx_(ctx),
        clock_(*ctx.clock),
        stop_(ctx.stop ? *ctx.stop : own_stop_) {}
  ~CaseRunner() { join_all(); }

  reports::CaseResult run() {
    open_stack();
    make_workers();
    start_threads();
    coordinate();
    join_all();
    collect_final();
    check_invariants();
    return std::move(result_);
  }

 private:
  void open_stack();
  void make_workers();
  void start_threads();
  void coordinate();
  void watchdog(uint64_t now);
  void join_all();
  void collect_final();
  void check_invariants();
  reports::CaseResult blank_result() const {
    reports::CaseResult r;
    r.label = case_.label;
    r.params = case_.params;
    r.repetition = repetition_;
    return r;
  }

  const Case& case_;
  const WorkloadSpec& spec_;
  const uint32_t repetition_;
  const RunContext& ctx_;
  const measure::Clock& clock_;
  std::atomic<bool> own_stop_{false};
  std::atomic<bool>& stop_;

  std::unique_ptr<targets::Target> stack_;
  targets::Capabilities caps_;
  targets::StackCounters before_;
  std::vector<reports::Verdict> skipped_;
  std::vector<Worker> workers_;
  std::vector<std::unique_ptr<FaultInjector>> faults_;
  std::unique_ptr<LatencyProbe> probe_;
  Timeline tl_;
  measure::PerfCounters perf_;
  std::unique_ptr<Collector> collector_;
  std::unique_ptr<OccupancySampler> occupancy_;  // made by coordinate, which knows its poll
  ProcessResources resources_;  // teebench's own RSS, fds and threads: flat over a soak
  reports::CaseResult result_ = blank_result();
  std::atomic<size_t> finished_{0};
  std::unique_ptr<std::barrier<>> sync_;  // releases the clients together once t0 is set
  uint64_t last_returned_ = 0;  // the watchdog's: calls returned when it last saw progress
  uint64_t last_progress_ = 0;  // and when that was (ticks)
  // Last: destroyed first, after join_all (the destructor's) has joined them.
  std::vector<std::thread> threads_;
  size_t client_threads_ = 0;
};

// The target with the case's stack knobs, what it can do, and the groups it cannot run.
void CaseRunner::open_stack() {
  targets::TargetSpec target;
  if (auto e = resolve_target(spec_, ctx_.target, &target); !e.empty()) throw std::runtime_error(e);
  stack_ = targets::open(target);
  caps_ = stack_->capabilities();
  for (const auto& g : spec_.groups)
    if (auto why = unsupported_by(g, caps_); !why.empty() && g.clients)
      skipped_.push_back({"skipped/" + g.name, reports::Outcome::kSkipped, why, {}});
  if (!target.is_emu() && !target.knobs.empty()) {
    nlohmann::json knobs = nlohmann::json::object();
    for (const auto& [k, v] : target.knobs) knobs[k] = v;
    skipped_.push_back({"stack_knobs_not_applied", reports::Outcome::kSkipped,
                        "a real stack is what it is: the workload's stack knobs are recorded, "
                        "not applied",
                        knobs});
  }
  before_ = stack_->counters();
}

// Client processes and their threads (each with its session, or its process's), before any
// timing starts.
void CaseRunner::make_workers() {
  size_t total = 0;
  for (const auto& g : spec_.groups) total += g.clients;
  workers_.reserve(total);
  // Each client's pick of ops differs, and differs again per repetition.
  uint64_t seed = spec_.seed * 1000003 + repetition_;
  for (const auto& g : spec_.groups) {
    if (!unsupported_by(g, caps_).empty()) continue;
    std::shared_ptr<ClientProcess> process;
    for (uint32_t i = 0; i < g.clients; ++i) {
      if (i % g.threads == 0) process = std::make_shared<ClientProcess>(*stack_, g);
      workers_.push_back(make_worker(*stack_, g, i, ++seed, process));
    }
  }
  faults_ = faults_for(spec_, caps_);
  collector_ = std::make_unique<Collector>(workers_, spec_);
}

// A thread per client, released together once t0 is set; then the fault injectors.
void CaseRunner::start_threads() {
  // A member, not a local: a released client may still be inside arrive_and_wait after this
  // function has returned.
  sync_ = std::make_unique<std::barrier<>>(static_cast<std::ptrdiff_t>(workers_.size() + 1));
  for (auto& w : workers_)
    threads_.emplace_back([this, &w] {
      sync_->arrive_and_wait();  // t0 is set
      run_worker(w, spec_, clock_, tl_, stop_);
      finished_.fetch_add(1);
    });
  client_threads_ = threads_.size();
  // The warm-up ends and the measured phase starts 1 ms after every thread was released, so that
  // no client starts late because its thread had not run yet.
  tl_.t0 = clock_.now() + clock_.from_ns(static_cast<uint64_t>(spec_.warmup_s * 1e9)) +
           clock_.from_ns(1000000);
  tl_.end = spec_.duration_s
                ? tl_.t0 + clock_.from_ns(static_cast<uint64_t>(*spec_.duration_s * 1e9))
                : 0;
  perf_.start();
  if (spec_.latency_probe_us > 0) {
    probe_ = std::make_unique<LatencyProbe>(spec_.latency_probe_us);
    probe_->start();
  }
  sync_->arrive_and_wait();
  for (auto& f : faults_)
    threads_.emplace_back([this, f = f.get()] {
      f->run(FaultContext{*stack_, spec_, clock_, tl_, stop_, workers_});
    });
}

// An interval point (and a checkpoint) every interval_s until the clients finish; the watchdog
// meanwhile. Points stop at the end of the measured phase: calls that drain after it are in the
// final figures, not in a point stamped later than the phase.
void CaseRunner::coordinate() {
  const uint64_t interval = clock_.from_ns(static_cast<uint64_t>(spec_.interval_s * 1e9));
  // Polling a tenth of the interval, 1..5 ms: fine enough for interval_s=0.01, coarse enough to
  // cost nothing beside the clients.
  const auto poll = std::chrono::microseconds(
      std::clamp<int64_t>(static_cast<int64_t>(spec_.interval_s * 1e5), 1000, 5000));
  uint64_t next = tl_.t0 + interval;
  occupancy_ = std::make_unique<OccupancySampler>(static_cast<double>(poll.count()) / 1e3);
  while (finished_.load() < client_threads_) {
    std::this_thread::sleep_for(poll);
    const uint64_t t = clock_.now();
    watchdog(t);
    if (t >= tl_.t0) occupancy_->sample(stack_->occupancy());
    if (t < next || t < tl_.t0) continue;
    // A slow checkpoint skips the points it overran instead of bunching them up after it.
    next = std::max(next + interval, t + interval / 2);
    const double elapsed = static_cast<double>(clock_.to_ns(t - tl_.t0)) / 1e9;
    if (spec_.duration_s && elapsed >= *spec_.duration_s) continue;
    // In the measured phase only: once it ends, the clients' threads leave one by one.
    resources_.sample(elapsed);
    result_.ops = collector_->collect(elapsed);
    result_.duration_s = elapsed;
    occupancy_->close_interval(elapsed);
    // What the stack shows now (busy threads, queue depth...), for live metrics (--serve).
    for (const auto& [k, v] : stack_->counters().available()) result_.counters[k] = v;
    if (ctx_.on_interval) ctx_.on_interval(result_, elapsed);
  }
}

// Calls in flight and none coming back for watchdog_s: the stack is hung. The hung client threads
// cannot be joined, so the process ends through on_hang without unwinding.
void CaseRunner::watchdog(uint64_t now) {
  if (const uint64_t r = tl_.returned.load(); r != last_returned_ || tl_.in_flight.load() == 0 ||
                                              last_progress_ == 0 || now < last_progress_) {
    last_returned_ = r;
    last_progress_ = now;
    return;
  }
  if (spec_.watchdog_s <= 0 ||
      static_cast<double>(clock_.to_ns(now - last_progress_)) / 1e9 < spec_.watchdog_s)
    return;
  stop_ = true;
  const double elapsed = static_cast<double>(clock_.to_ns(now - tl_.t0)) / 1e9;
  reports::CaseResult hung = blank_result();
  hung.ops = collector_->collect(elapsed);
  hung.duration_s = elapsed;
  for (const auto& [k, v] : stack_->counters().available()) hung.counters[k] = v;
  hung.counters["thread_states"] = stack_->thread_states();
  hung.verdicts.push_back(
      {"no_deadlock",
       reports::Outcome::kFail,
       fmt::format("no call completed for {:g} s with {} in flight: the stack is hung",
                   spec_.watchdog_s, tl_.in_flight.load()),
       {{"thread_states", hung.counters["thread_states"]},
        {"in_flight", tl_.in_flight.load()},
        {"in_flight_ops", in_flight_ops(workers_)},
        {"supplicant_requests_pending", hung.counters.value("supplicant_requests_pending", -1.0)},
        {"secure_threads_free", hung.counters.value("secure_threads_free", 0.0)}}});
  if (ctx_.on_hang) ctx_.on_hang(hung);
  std::_Exit(1);  // no hook: still never unwind into the hung threads
}

// Stops and joins every thread still running (all of them have returned on the normal path;
// on an exception, e.g. a checkpoint on a full disk, they are told to stop first).
void CaseRunner::join_all() {
  bool running = false;
  for (auto& t : threads_) running = running || t.joinable();
  if (!running) return;
  if (finished_.load() < client_threads_) stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  if (probe_) probe_->stop();
  perf_.stop();
}

void CaseRunner::collect_final() {
  const uint64_t t_end = clock_.now();
  const double elapsed =
      t_end > tl_.t0 ? static_cast<double>(clock_.to_ns(t_end - tl_.t0)) / 1e9 : 0;
  const double measured = spec_.duration_s ? std::min(elapsed, *spec_.duration_s) : elapsed;
  result_.ops = collector_->collect(measured);
  result_.duration_s = measured;
  result_.perf = perf_.to_json();
  const auto counters = stack_->counters();
  for (const auto& [k, v] : counters.available()) result_.counters[k] = v;
  if (const auto na = counters.unavailable(); !na.empty()) result_.counters["unavailable"] = na;
  result_.counters["thread_states"] = stack_->thread_states();
  if (occupancy_) {
    occupancy_->close_interval(measured);
    result_.occupancy = occupancy_->to_json();
  }
  for (const auto& f : faults_) f->report(result_);
  if (probe_) probe_->report(result_);
  if (auto r = resources_.to_json(); !r.is_null()) result_.metrics["process_resources"] = r;
  result_.complete = !stop_.load();
  for (auto& v : skipped_) result_.verdicts.push_back(std::move(v));
  result_.timing_caveat = caps_.timing_caveat;
}

// The generic invariants (invariants.h), judged once every client is gone so that what they held
// is released or shows as a leak.
void CaseRunner::check_invariants() {
  for (auto& w : workers_) w.client.reset();
  const targets::StackCounters after = stack_->counters();
  const CaseEvidence evidence{spec_, workers_, result_, before_, after};
  std::vector<reports::Verdict> verdicts;
  for (const auto& check : invariant_checks()) check.check(evidence, verdicts);
  // Judged here, not with the other invariants: it reads the samples, not the evidence of calls.
  if (result_.complete) resources_.judge(verdicts);
  for (auto& v : verdicts) result_.verdicts.push_back(std::move(v));
}

}  // namespace

reports::CaseResult run_case(const Case& c, uint32_t repetition, const RunContext& ctx) {
  return CaseRunner(c, repetition, ctx).run();
}

}  // namespace workloads
