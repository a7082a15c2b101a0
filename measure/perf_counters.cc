#include "measure/perf_counters.h"

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace measure {
namespace {

int perf_open(uint32_t type, uint64_t config, bool exclude_kernel) {
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = type;
  attr.config = config;
  attr.disabled = 1;
  attr.inherit = 1;
  attr.exclude_hv = 1;
  attr.exclude_kernel = exclude_kernel;
  return static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

}  // namespace

PerfCounters::PerfCounters() {
  counters_ = {{"task_clock_ns", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
               {"context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
               {"page_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS},
               {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
               {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS}};
  for (auto& c : counters_) {
    // Counting kernel time needs privileges (perf_event_paranoid); retry user-only without.
    c.fd = perf_open(c.type, c.config, false);
    if (c.fd < 0 && (errno == EACCES || errno == EPERM)) c.fd = perf_open(c.type, c.config, true);
    if (c.fd < 0) c.err = errno;
  }
}

PerfCounters::~PerfCounters() {
  for (auto& c : counters_)
    if (c.fd >= 0) close(c.fd);
}

void PerfCounters::start() {
  for (auto& c : counters_) {
    if (c.fd < 0) continue;
    ioctl(c.fd, PERF_EVENT_IOC_RESET, 0);
    ioctl(c.fd, PERF_EVENT_IOC_ENABLE, 0);
  }
}

void PerfCounters::stop() {
  for (auto& c : counters_) {
    if (c.fd < 0) continue;
    ioctl(c.fd, PERF_EVENT_IOC_DISABLE, 0);
    uint64_t v = 0;
    if (read(c.fd, &v, sizeof(v)) == sizeof(v)) c.value = v;
  }
}

nlohmann::json PerfCounters::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& c : counters_) {
    if (c.fd >= 0)
      j[c.name] = {{"supported", true}, {"value", c.value}};
    else
      j[c.name] = {{"supported", false},
                   {"error", std::string(strerrorname_np(c.err) ? strerrorname_np(c.err) : "?") +
                                 ": " + std::strerror(c.err)}};
  }
  return j;
}

}  // namespace measure
