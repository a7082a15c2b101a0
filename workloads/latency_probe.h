// A normal-world latency probe beside any case (cyclictest-style): one thread at a real-time
// priority where the host allows it sleeps to absolute deadlines every period and records how late
// it woke. What TEE load does to the rest of the normal world shows as its tail: a secure thread
// that runs with foreign interrupts masked, or a driver spinning on a lock, delays this thread's
// wake-up just as it would delay an audio or control loop on a board.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "measure/histogram.h"
#include "reports/results.h"

namespace workloads {

class LatencyProbe {
 public:
  explicit LatencyProbe(double period_us) : period_ns_(static_cast<int64_t>(period_us * 1e3)) {}
  ~LatencyProbe() { stop(); }
  void start();
  void stop();
  // metrics["normal_world_wakeup"]: period, scheduling policy obtained, samples and percentiles.
  void report(reports::CaseResult& result) const;

 private:
  void loop();

  const int64_t period_ns_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  measure::Recorder late_;
  std::string policy_ = "SCHED_OTHER";
};

}  // namespace workloads
