#include "measure/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace {

using measure::Histogram;

// The nearest-rank percentile of sorted data.
uint64_t exact(const std::vector<uint64_t>& sorted, double p) {
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted.size()));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::vector<uint64_t> log_uniform(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> e(0, std::log(60e9));  // 1 ns .. 60 s
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = static_cast<uint64_t>(std::exp(e(rng)));
  return v;
}

TEST(Histogram, PercentilesWithinPointOnePercentOfExact) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    auto data = log_uniform(200000, seed);
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> lat(5000, 800);  // a latency-like cluster too
    for (int i = 0; i < 100000; ++i) data.push_back(static_cast<uint64_t>(std::max(1.0, lat(rng))));
    Histogram h;
    for (uint64_t v : data) h.record(v);
    std::sort(data.begin(), data.end());
    for (double p : {1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
      const double want = static_cast<double>(exact(data, p));
      const double got = static_cast<double>(h.percentile(p));
      EXPECT_LE(std::abs(got - want) / want, 0.001) << "p" << p << " seed " << seed;
    }
    EXPECT_EQ(h.total(), data.size());
    EXPECT_EQ(h.min(), data.front());
    EXPECT_EQ(h.max(), data.back());
  }
}

TEST(Histogram, BucketsHoldThreeSignificantDigits) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = 1 + rng() % Histogram::kHighestTrackable;
    const size_t idx = Histogram::index_of(v);
    ASSERT_LT(idx, Histogram::kCountsLen);
    const uint64_t lo = Histogram::lowest_equivalent(idx), hi = Histogram::highest_equivalent(idx);
    ASSERT_LE(lo, v);
    ASSERT_GE(hi, v);
    ASSERT_LT(static_cast<double>(hi - lo) / static_cast<double>(lo), 1.0 / 1024);
  }
  for (uint64_t v = 0; v < 2048; ++v)
    EXPECT_EQ(Histogram::lowest_equivalent(Histogram::index_of(v)), v);
}

TEST(Histogram, MergeOfPartsEqualsTheWhole) {
  const auto data = log_uniform(50000, 11);
  Histogram whole, a, b;
  for (size_t i = 0; i < data.size(); ++i) {
    whole.record(data[i]);
    (i % 3 ? a : b).record(data[i]);
  }
  a.merge(b);
  EXPECT_EQ(a.total(), whole.total());
  EXPECT_EQ(a.min(), whole.min());
  EXPECT_EQ(a.max(), whole.max());
  for (double p : {50.0, 99.0, 99.99}) EXPECT_EQ(a.percentile(p), whole.percentile(p));
  EXPECT_NEAR(a.mean(), whole.mean(), whole.mean() * 1e-12);
}

TEST(Histogram, JsonRoundTripIsExact) {
  Histogram h;
  for (uint64_t v : log_uniform(10000, 5)) h.record(v);
  h.record(uint64_t{100} * 1000000000);  // 100 s: beyond the range
  const Histogram back = Histogram::from_json(h.to_json());
  EXPECT_EQ(back.total(), h.total());
  EXPECT_EQ(back.overflow(), 1u);
  for (double p : {0.0, 50.0, 99.9, 100.0}) EXPECT_EQ(back.percentile(p), h.percentile(p));
  EXPECT_THROW(Histogram::from_json({{"unit", "us"}}), std::invalid_argument);
  EXPECT_TRUE(back == h);
}

// The compact form: distances between bins' lowest values and counts, read with a running sum;
// files written before it (bins as [[value, count], ...]) still read the same.
TEST(Histogram, CompactBinsAndTheEarlierForm) {
  Histogram h;
  h.record(1000, 3);
  h.record(1001);
  h.record(5000000, 2);
  const auto j = h.to_json();
  EXPECT_EQ(j["bins"],
            "1000:3 1:1 " +
                std::to_string(Histogram::lowest_equivalent(Histogram::index_of(5000000)) - 1001) +
                ":2");
  nlohmann::json old = j;
  old.erase("bins");
  old["counts"] = nlohmann::json::array();
  for (const auto& [v, c] : h.bins()) old["counts"].push_back({v, c});
  EXPECT_TRUE(Histogram::from_json(old) == h);
  for (const char* bad : {"1000:3 x:1", "1000", "1000:3 1:", "68719476736:1", "1:1,2:2"}) {
    nlohmann::json b = j;
    b["bins"] = bad;
    EXPECT_THROW(Histogram::from_json(b), std::invalid_argument) << bad;
  }
  nlohmann::json wrong_total = j;
  wrong_total["total"] = 7;
  EXPECT_THROW(Histogram::from_json(wrong_total), std::invalid_argument);
}

TEST(Histogram, RecorderSnapshotAndDelta) {
  measure::Recorder r;
  Histogram plain;
  const auto data = log_uniform(20000, 9);
  for (size_t i = 0; i < 10000; ++i) {
    r.record(data[i]);
    plain.record(data[i]);
  }
  const Histogram first = r.snapshot();
  EXPECT_EQ(first.total(), plain.total());
  EXPECT_EQ(first.percentile(99), plain.percentile(99));
  Histogram second_half;
  for (size_t i = 10000; i < data.size(); ++i) {
    r.record(data[i]);
    second_half.record(data[i]);
  }
  const Histogram d = Histogram::delta(r.snapshot(), first);
  EXPECT_EQ(d.total(), second_half.total());
  EXPECT_EQ(d.percentile(50), second_half.percentile(50));
}

TEST(Histogram, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.percentile(99), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

}  // namespace
