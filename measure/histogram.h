// A log-linear (HDR-style) latency histogram: 3 significant digits from 1 ns to 2^36 ns (~68.7 s)
// in fixed memory (~220 KiB), with exact counts, mergeable, serializable.
//
// Debian ships no HdrHistogram for C or C++ (only Java and Go ports), so this is our own, small
// implementation of the same bucketing: bucket k covers [2^k·2048/2, 2^(k+1)·2048/2) with 1024
// linear sub-buckets, so any recorded value is known to within 1/1024 of itself.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace measure {

class Histogram {
 public:
  static constexpr unsigned kSubBucketHalfCountMagnitude = 10;  // 3 significant digits
  static constexpr uint64_t kSubBucketCount = uint64_t{1} << (kSubBucketHalfCountMagnitude + 1);
  static constexpr uint64_t kSubBucketHalfCount = kSubBucketCount / 2;
  static constexpr uint64_t kSubBucketMask = kSubBucketCount - 1;
  static constexpr uint64_t kHighestTrackable = (uint64_t{1} << 36) - 1;  // ns, > 60 s
  static constexpr unsigned kBucketCount = 26;  // buckets needed to reach kHighestTrackable
  static constexpr size_t kCountsLen = (kBucketCount + 1) * kSubBucketHalfCount;

  Histogram() : counts_(kCountsLen, 0) {}

  // Values above the trackable range are clamped into the top bucket and counted in overflow().
  void record(uint64_t value_ns, uint64_t count = 1);
  void merge(const Histogram& other);
  // The samples recorded in `now` but not yet in `before` (an earlier snapshot of the same
  // recorder): an interval's histogram. min/max are bucket-accurate.
  static Histogram delta(const Histogram& now, const Histogram& before);
  void reset();

  uint64_t total() const { return total_; }
  uint64_t min() const { return total_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const;
  uint64_t overflow() const { return overflow_; }
  // The value at percentile p in [0, 100]: the highest value equivalent to the nearest-rank
  // sample, capped at max(). 0 when empty.
  uint64_t percentile(double p) const;

  // Index arithmetic, exposed for the serializer and tests.
  static size_t index_of(uint64_t v);
  static uint64_t lowest_equivalent(size_t index);
  static uint64_t highest_equivalent(size_t index);

  using Bins = std::vector<std::pair<uint64_t, uint64_t>>;  // (lowest value, count), ascending
  // The non-empty bins.
  Bins bins() const;

  // {"unit":"ns","significant_digits":3,"total":..,"min":..,"max":..,"sum":..,"overflow":..,
  //  "bins":"D:C D:C ..."}: each non-empty bin as its lowest value's distance from the previous
  // bin's (from 0 for the first) and its count, in one string (docs/results.md). A string keeps
  // JSON indentation out of the thousands of bins a histogram can have: the release run's file
  // went from 8.1 to 3.3 MB. Reading it is a split and a running sum.
  nlohmann::json to_json() const;
  // Reads that form, or the earlier "counts": [[lowest_value, count], ...] of older files.
  // Throws std::invalid_argument naming the problem.
  static Histogram from_json(const nlohmann::json& j);
  // The bins of a histogram's JSON form (either encoding), without building the histogram.
  static Bins bins_from_json(const nlohmann::json& j);
  bool operator==(const Histogram& o) const = default;

 private:
  friend class Recorder;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  uint64_t overflow_ = 0;
  long double sum_ = 0;
};

// The recording side for one thread: single writer, readable at any time by another thread
// (plain relaxed loads and stores of aligned 64-bit counters, no read-modify-write).
class Recorder {
 public:
  Recorder() : counts_(Histogram::kCountsLen) {}
  void record(uint64_t value_ns) {
    if (value_ns > Histogram::kHighestTrackable) {
      bump(overflow_);
      value_ns = Histogram::kHighestTrackable;
    }
    bump(counts_[Histogram::index_of(value_ns)]);  // the total is derived from the counts
    sum_.store(sum_.load(std::memory_order_relaxed) + value_ns, std::memory_order_relaxed);
    if (value_ns < min_.load(std::memory_order_relaxed))
      min_.store(value_ns, std::memory_order_relaxed);
    if (value_ns > max_.load(std::memory_order_relaxed))
      max_.store(value_ns, std::memory_order_relaxed);
  }
  // A consistent-enough copy: counts recorded during the copy may or may not be in it.
  Histogram snapshot() const;
  // Adds what was recorded so far into `h` (no allocation: the coordinator calls this often).
  void add_to(Histogram& h) const;

 private:
  static void bump(std::atomic<uint64_t>& c) {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  std::vector<std::atomic<uint64_t>> counts_;
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> min_{UINT64_MAX};
  std::atomic<uint64_t> max_{0};
  std::atomic<uint64_t> overflow_{0};
};

inline size_t Histogram::index_of(uint64_t v) {
  // Bucket: position of the highest set bit above the sub-bucket range.
  const unsigned bucket = static_cast<unsigned>(64 - __builtin_clzll(v | kSubBucketMask)) -
                          (kSubBucketHalfCountMagnitude + 1);
  const uint64_t sub = v >> bucket;
  return ((bucket + 1) << kSubBucketHalfCountMagnitude) + sub - kSubBucketHalfCount;
}

inline void Histogram::record(uint64_t v, uint64_t count) {
  if (v > kHighestTrackable) {
    overflow_ += count;
    v = kHighestTrackable;
  }
  counts_[index_of(v)] += count;
  total_ += count;
  sum_ += static_cast<long double>(v) * count;
  if (v < min_) min_ = v;
  if (v > max_) max_ = v;
}

}  // namespace measure
