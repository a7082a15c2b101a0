#include "workloads/latency_probe.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

namespace workloads {
namespace {

// cyclictest's customary priority: above ordinary real-time work, below the kernel's own
// threaded interrupts at 50..99 on PREEMPT_RT only where those are raised above it.
constexpr int kProbePriority = 80;

int64_t ns_of(const timespec& t) { return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec; }

}  // namespace

void LatencyProbe::start() {
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
}

void LatencyProbe::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void LatencyProbe::loop() {
  sched_param sp{};
  sp.sched_priority = kProbePriority;
  // Without CAP_SYS_NICE (or an rtprio limit) the probe runs as an ordinary thread and says so:
  // its figures then include the host's ordinary scheduling delay.
  if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0)
    policy_ = "SCHED_FIFO " + std::to_string(kProbePriority);
  else
    policy_ = "SCHED_OTHER (no permission for SCHED_FIFO)";
  timespec next{};
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (!stop_.load(std::memory_order_relaxed)) {
    int64_t t = ns_of(next) + period_ns_;
    next.tv_sec = static_cast<time_t>(t / 1000000000);
    next.tv_nsec = static_cast<long>(t % 1000000000);
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t late = ns_of(now) - t;
    late_.record(static_cast<uint64_t>(late > 0 ? late : 0));
    // A wake-up later than a whole period: the next deadline is from now, as cyclictest does,
    // instead of a burst of catch-up wake-ups that would measure nothing.
    if (late > period_ns_) next = now;
  }
}

void LatencyProbe::report(reports::CaseResult& result) const {
  const measure::Histogram h = late_.snapshot();
  result.metrics["normal_world_wakeup"] = {{"period_us", static_cast<double>(period_ns_) / 1e3},
                                           {"policy", policy_},
                                           {"samples", h.total()},
                                           {"p50_ns", h.percentile(50)},
                                           {"p99_ns", h.percentile(99)},
                                           {"p99_9_ns", h.percentile(99.9)},
                                           {"max_ns", h.max()}};
}

}  // namespace workloads
