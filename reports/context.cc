#include "reports/context.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <string>
#include <thread>

namespace reports {
namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0 || line.rfind("Model", 0) == 0)
      return line.substr(line.find(':') + 2);
  return "unknown";
}

// The 1, 5 and 15-minute load averages (as Google Benchmark's context records them): other work
// on the host when the run started, which `compare` flags.
nlohmann::json load_average() {
  std::ifstream in("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  if (!(in >> a >> b >> c)) return nullptr;
  return {a, b, c};
}

}  // namespace

double busy_host_load(const nlohmann::json& ctx) {
  const nlohmann::json load = ctx.value("load_avg", nlohmann::json::array());
  const double cpus = ctx.value("num_cpus", 0.0);
  if (!load.is_array() || load.empty() || !load[0].is_number() || cpus <= 0) return 0;
  const double one_minute = load[0].get<double>();
  return one_minute / cpus > 0.5 ? one_minute : 0;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json host_context() {
  utsname u{};
  uname(&u);
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  const std::string governor = first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  return {{"host_name", host},
          {"kernel", std::string(u.sysname) + " " + u.release},
          {"machine", u.machine},
          {"cpu_model", cpu_model()},
          {"num_cpus", std::thread::hardware_concurrency()},
          {"cpu_governor", governor.empty() ? nlohmann::json(nullptr) : nlohmann::json(governor)},
          {"aslr", first_line("/proc/sys/kernel/randomize_va_space")},
          {"load_avg", load_average()},
          {"date", utc_now()}};
}

}  // namespace reports
