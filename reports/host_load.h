// How busy the host was with work other than teebench's while a case ran: CPU time all processes
// used (/proc/stat) minus what this process used (getrusage; the emulated stack runs in it), over
// the CPU time the machine had. A stress-ng or a parallel build shows here; teebench's own clients
// do not, unlike the load average, which they would push up themselves.
#pragma once

#include <cstdint>

namespace reports {

class HostLoad {
 public:
  HostLoad();  // starts measuring
  // Share of the machine's CPU time that other processes used since construction, 0..1 (0 when
  // /proc/stat cannot be read).
  double others_cpu_share() const;

 private:
  struct Sample {
    uint64_t busy_ticks = 0;  // every CPU's non-idle time, in clock ticks
    double self_s = 0;        // this process's user + system time
    double wall_s = 0;
  };
  static Sample sample();
  Sample start_;
};

// Above this share the host is busy: a quarter of the CPUs taken by others delays the clients'
// wake-ups by a scheduler tick often enough to move tail latency and throughput figures.
inline constexpr double kBusyHostShare = 0.25;

}  // namespace reports
