// Runs a scripted client (workloads/script.h): its steps in order, each recorded as its own
// operation, and each pass through the script (or its loop) as a transaction.
#include <algorithm>
#include <thread>

#include "workloads/script.h"
#include "workloads/worker.h"

namespace workloads {
namespace {

class ScriptRun {
 public:
  ScriptRun(Worker& w, const WorkloadSpec& spec, const measure::Clock& clock, const Timeline& tl,
            std::atomic<bool>& stop)
      : w_(w),
        g_(*w.group),
        script_(*g_.script),
        spec_(spec),
        clock_(clock),
        tl_(tl),
        stop_(stop),
        stop_at_(g_.stop_s ? clock.from_ns(static_cast<uint64_t>(*g_.stop_s * 1e9)) : 0) {}

  void run() {
    // As a mix group: groups that start later do not warm up (their warm-up calls would still
    // be queued when the baseline is measured).
    const bool warm = spec_.warmup_s > 0 && g_.start_s == 0;
    const uint64_t begin =
        warm ? tl_.t0 - clock_.from_ns(static_cast<uint64_t>(spec_.warmup_s * 1e9))
             : tl_.t0 + clock_.from_ns(static_cast<uint64_t>(g_.start_s * 1e9));
    sleep_until(clock_, begin, stop_);
    // The setup runs once, so it is recorded even in the warm-up: its open latencies are the
    // figures a long-lived client has of them.
    if (steps(script_.setup, false, true)) {
      while (!ended()) {
        if (parked()) continue;
        if (!transaction()) break;
        if (g_.think_us > 0) think(g_.think_us);
      }
    }
    // Closing steps run whatever ended the run, so the close latencies are measured too.
    if (script_.has_loop) steps(script_.teardown, true, true);
  }

 private:
  // The run is over for this client: stopped, past the end or its group's stop_s, or its
  // transactions done (operation-count runs count transactions).
  bool ended() const {
    if (stop_.load(std::memory_order_relaxed)) return true;
    const uint64_t now = clock_.now();
    if (tl_.end && now >= tl_.end) return true;
    if (stop_at_ && now >= tl_.t0 && now - tl_.t0 >= stop_at_) return true;
    return spec_.operations && done_ >= *spec_.operations;
  }

  // Parked by a closed-loop ramp between transactions: not active, so not starving either.
  bool parked() {
    const uint64_t now = clock_.now();
    if (g_.ramp.empty() || now < tl_.t0) return false;
    if (w_.index < g_.ramp[ramp_step_at(g_, clock_, now - tl_.t0)]) return false;
    w_.last_completion_ns->store(-1, std::memory_order_relaxed);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return true;
  }

  // One transaction; false if the run ended inside it (then it is not recorded).
  bool transaction() {
    const uint64_t start = clock_.now();
    if (!steps(script_.body, false, false)) return false;
    if (start < tl_.t0) return true;  // warm-up
    const size_t op = script_.transaction;
    const size_t step = ramp_step_at(g_, clock_, start - tl_.t0);
    w_.issued[op].store(w_.issued[op].load(std::memory_order_relaxed) + 1,
                        std::memory_order_relaxed);
    w_.op_stats[step * g_.mix.size() + op][0]->ok(clock_.to_ns(clock_.now() - start));
    done_++;
    return true;
  }

  // Runs `v` in order; false if the run ended before the last step (`force`: run them all).
  // `always_record`: record them in the warm-up too.
  bool steps(const std::vector<Step>& v, bool force, bool always_record) {
    for (const Step& s : v) {
      if (!force && ended()) return false;
      switch (s.kind) {
        case StepKind::kOp:
          one(s.op, always_record);
          break;
        case StepKind::kThink:
          if (!force) think(s.think_us);
          break;
        case StepKind::kRepeat:
          for (uint64_t i = 0; i < s.times; ++i)
            if (!steps(s.body, force, always_record)) return false;
          break;
      }
    }
    return true;
  }

  void one(size_t op, bool always_record) {
    const uint64_t now = clock_.now();
    const bool measured = now >= tl_.t0;
    const bool record = measured || always_record;
    const size_t step = measured ? ramp_step_at(g_, clock_, now - tl_.t0) : 0;
    // Active from here: a gap is measured from the first moment the client could have called.
    if (measured && w_.last_completion_ns->load(std::memory_order_relaxed) < 0)
      w_.last_completion_ns->store(static_cast<int64_t>(clock_.to_ns(now - tl_.t0)),
                                   std::memory_order_relaxed);
    perform(w_, op, step, clock_, tl_, now, record);
  }

  void think(double us) {
    sleep_until(clock_, clock_.now() + clock_.from_ns(static_cast<uint64_t>(us * 1e3)), stop_);
  }

  Worker& w_;
  const GroupSpec& g_;
  const Script& script_;
  const WorkloadSpec& spec_;
  const measure::Clock& clock_;
  const Timeline& tl_;
  std::atomic<bool>& stop_;
  const uint64_t stop_at_;
  uint64_t done_ = 0;
};

}  // namespace

void run_script(Worker& w, const WorkloadSpec& spec, const measure::Clock& clock,
                const Timeline& tl, std::atomic<bool>& stop) {
  ScriptRun(w, spec, clock, tl, stop).run();
}

}  // namespace workloads
