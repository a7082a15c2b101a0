#include "reports/host_load.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace reports {

HostLoad::Sample HostLoad::sample() {
  Sample s;
  std::ifstream in("/proc/stat");
  std::string cpu;
  // cpu user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
  uint64_t v[8] = {};
  if (in >> cpu && cpu == "cpu")
    for (auto& x : v) in >> x;
  s.busy_ticks = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  s.self_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
             static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  s.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  return s;
}

HostLoad::HostLoad() : start_(sample()) {}

double HostLoad::others_cpu_share() const {
  const Sample now = sample();
  const double ticks_per_s = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double cpus = static_cast<double>(std::thread::hardware_concurrency());
  const double wall = now.wall_s - start_.wall_s;
  if (start_.busy_ticks == 0 || ticks_per_s <= 0 || cpus <= 0 || wall <= 0) return 0;
  const double busy_s = static_cast<double>(now.busy_ticks - start_.busy_ticks) / ticks_per_s;
  const double others = busy_s - (now.self_s - start_.self_s);
  return std::clamp(others / (wall * cpus), 0.0, 1.0);
}

}  // namespace reports
