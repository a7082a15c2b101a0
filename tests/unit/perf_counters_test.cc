#include "measure/perf_counters.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

TEST(PerfCounters, SoftwareCountersCountAndMissingOnesSaySo) {
  measure::PerfCounters pc;
  pc.start();
  std::vector<char> touch(16 << 20, 1);  // page faults and task-clock
  volatile char sink = touch[touch.size() / 2];
  (void)sink;
  pc.stop();
  const auto j = pc.to_json();
  for (const char* name :
       {"task_clock_ns", "context_switches", "page_faults", "cycles", "instructions"}) {
    ASSERT_TRUE(j.contains(name)) << name;
    const auto& c = j[name];
    if (c["supported"].get<bool>()) {
      EXPECT_TRUE(c.contains("value"));
      EXPECT_FALSE(c.contains("error"));
    } else {
      // Never a silent zero: an unsupported counter carries the reason and no value.
      EXPECT_FALSE(c.contains("value")) << name;
      EXPECT_FALSE(c["error"].get<std::string>().empty()) << name;
    }
  }
  if (j["task_clock_ns"]["supported"].get<bool>()) {
    EXPECT_GT(j["task_clock_ns"]["value"].get<uint64_t>(), 0u);
  }
  if (j["page_faults"]["supported"].get<bool>()) {
    EXPECT_GT(j["page_faults"]["value"].get<uint64_t>(), 1000u);
  }
}

}  // namespace
