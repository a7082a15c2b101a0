// perf_event_open counters for a scenario: software counters (task-clock, context switches, page
// faults) always, hardware counters (cycles, instructions) where the machine has them. A counter
// that cannot be opened is reported as unsupported with its errno, never as zero.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace measure {

class PerfCounters {
 public:
  // Opens the counters for this process; threads created afterwards are counted too (inherit).
  PerfCounters();
  ~PerfCounters();
  PerfCounters(const PerfCounters&) = delete;
  PerfCounters& operator=(const PerfCounters&) = delete;

  void start();
  void stop();
  // {"task_clock_ns": {"supported": true, "value": ...}, "cycles": {"supported": false,
  //  "error": "ENOENT ..."}, ...}; values cover start()..stop() of threads that have exited or
  // are the caller.
  nlohmann::json to_json() const;

 private:
  struct Counter {
    std::string name;
    uint32_t type = 0;
    uint64_t config = 0;
    int fd = -1;
    int err = 0;
    uint64_t value = 0;
  };
  std::vector<Counter> counters_;
};

}  // namespace measure
