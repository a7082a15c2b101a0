#include "workloads/process_resources.h"

#include <gtest/gtest.h>

#include <map>

namespace {

using reports::Outcome;
using workloads::ProcessResources;
using workloads::ResourceSample;

// One reading every 10 s (the soak's interval) for `n` readings.
ProcessResources series(size_t n, uint64_t (*rss)(size_t), uint64_t (*fds)(size_t),
                        uint64_t (*threads)(size_t)) {
  ProcessResources p;
  for (size_t i = 0; i < n; ++i)
    p.add(ResourceSample{10.0 * static_cast<double>(i), rss(i), fds(i), threads(i)});
  return p;
}

std::map<std::string, Outcome> judged(const ProcessResources& p) {
  std::vector<reports::Verdict> v;
  p.judge(v);
  std::map<std::string, Outcome> out;
  for (const auto& x : v) out[x.name] = x.outcome;
  return out;
}

uint64_t steady_rss(size_t i) { return 40000 + (i % 3) * 300; }
uint64_t steady_fds(size_t i) { return i % 5 == 4 ? 14 : 10; }  // a script's contexts in passing
uint64_t steady_threads(size_t) { return 70; }

TEST(ProcessResources, PeaksInPassingAreFlat) {
  const auto v = judged(series(40, steady_rss, steady_fds, steady_threads));
  EXPECT_EQ(v.at("fds_flat"), Outcome::kPass);
  EXPECT_EQ(v.at("threads_flat"), Outcome::kPass);
  EXPECT_EQ(v.at("rss_flat"), Outcome::kPass);
}

TEST(ProcessResources, ARisingFloorIsALeak) {
  const auto fd_leak = judged(series(
      40, steady_rss, [](size_t i) -> uint64_t { return 10 + i / 4; }, steady_threads));
  EXPECT_EQ(fd_leak.at("fds_flat"), Outcome::kFail);
  EXPECT_EQ(fd_leak.at("threads_flat"), Outcome::kPass);
  const auto thread_leak = judged(
      series(40, steady_rss, steady_fds, [](size_t i) -> uint64_t { return i < 30 ? 70 : 71; }));
  EXPECT_EQ(thread_leak.at("threads_flat"), Outcome::kFail);
  // 40 MB growing by 1 MB every 10 s: the last quarter's floor (70 MB) is 21 MB above the first
  // quarter's peak (49 MB), past its allowance of 10 % + 8 MiB (13 MB).
  const auto rss_leak = judged(series(
      40, [](size_t i) -> uint64_t { return 40000 + 1000 * i; }, steady_fds, steady_threads));
  EXPECT_EQ(rss_leak.at("rss_flat"), Outcome::kFail);
  EXPECT_EQ(rss_leak.at("fds_flat"), Outcome::kPass);
}

TEST(ProcessResources, ResidentMemoryMayMoveWithinItsAllowance) {
  // +6 MiB on 40 MB: below 10 % + 8 MiB.
  const auto v = judged(series(
      40, [](size_t i) -> uint64_t { return i < 20 ? 40000 : 46000; }, steady_fds, steady_threads));
  EXPECT_EQ(v.at("rss_flat"), Outcome::kPass);
}

TEST(ProcessResources, ShortRunsAreNotJudged) {
  // 7 readings over 60 s, and 20 readings over 19 s: no trend to tell from start-up.
  EXPECT_TRUE(judged(series(7, steady_rss, steady_fds, steady_threads)).empty());
  ProcessResources quick;
  for (int i = 0; i < 20; ++i) quick.add(ResourceSample{1.0 * i, 40000, 10, 70});
  EXPECT_TRUE(judged(quick).empty());
}

TEST(ProcessResources, ReadsThisProcess) {
  const ResourceSample s = workloads::read_process_resources(1.5);
  EXPECT_EQ(s.t_s, 1.5);
  EXPECT_GT(s.rss_kib, 1000u);  // a gtest binary is megabytes
  EXPECT_GE(s.threads, 1u);
  EXPECT_GE(s.fds, 3u);  // stdin, stdout, stderr
  ProcessResources p;
  p.sample(0);
  p.sample(0.5);  // within a second of the last: dropped
  p.sample(1.0);
  ASSERT_EQ(p.samples().size(), 2u);
  const auto j = p.to_json();
  EXPECT_EQ(j["samples"].size(), 2u);
  EXPECT_EQ(j["columns"][2], "fds");
}

}  // namespace
