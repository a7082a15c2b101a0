#include "measure/histogram.h"

#include <cstdlib>
#include <string>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace measure {

uint64_t Histogram::lowest_equivalent(size_t index) {
  size_t bucket = (index >> kSubBucketHalfCountMagnitude);
  size_t sub = (index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket == 0) {
    sub -= kSubBucketHalfCount;  // bucket 0 covers [0, 2048) in full
  } else {
    bucket -= 1;
  }
  return static_cast<uint64_t>(sub) << bucket;
}

uint64_t Histogram::highest_equivalent(size_t index) {
  const size_t bucket =
      index < (kSubBucketHalfCount << 1) ? 0 : (index >> kSubBucketHalfCountMagnitude) - 1;
  return lowest_equivalent(index) + (uint64_t{1} << bucket) - 1;
}

void Histogram::merge(const Histogram& o) {
  for (size_t i = 0; i < kCountsLen; ++i) counts_[i] += o.counts_[i];
  total_ += o.total_;
  sum_ += o.sum_;
  overflow_ += o.overflow_;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

Histogram Histogram::delta(const Histogram& now, const Histogram& before) {
  Histogram d;
  for (size_t i = 0; i < kCountsLen; ++i) {
    const uint64_t c = now.counts_[i] >= before.counts_[i] ? now.counts_[i] - before.counts_[i] : 0;
    if (!c) continue;
    d.counts_[i] = c;
    d.total_ += c;
    d.min_ = std::min(d.min_, lowest_equivalent(i));
    d.max_ = std::max(d.max_, std::min(highest_equivalent(i), now.max_));
  }
  d.sum_ = now.sum_ > before.sum_ ? now.sum_ - before.sum_ : 0;
  d.overflow_ = now.overflow_ - std::min(now.overflow_, before.overflow_);
  return d;
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  overflow_ = 0;
  sum_ = 0;
}

double Histogram::mean() const {
  return total_ ? static_cast<double>(sum_ / static_cast<long double>(total_)) : 0.0;
}

uint64_t Histogram::percentile(double p) const {
  if (total_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // Nearest rank: the smallest value with at least ceil(p/100 * n) samples at or below it.
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_)));
  rank = std::clamp<uint64_t>(rank, 1, total_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kCountsLen; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(highest_equivalent(i), max_);
  }
  return max_;
}

Histogram::Bins Histogram::bins() const {
  Bins out;
  for (size_t i = 0; i < kCountsLen; ++i)
    if (counts_[i]) out.emplace_back(lowest_equivalent(i), counts_[i]);
  return out;
}

nlohmann::json Histogram::to_json() const {
  std::string bins;
  uint64_t previous = 0;
  for (const auto& [value, count] : this->bins()) {
    if (!bins.empty()) bins += ' ';
    bins += std::to_string(value - previous);
    bins += ':';
    bins += std::to_string(count);
    previous = value;
  }
  return {
      {"unit", "ns"}, {"significant_digits", 3},          {"total", total_},       {"min", min()},
      {"max", max_},  {"sum", static_cast<double>(sum_)}, {"overflow", overflow_}, {"bins", bins}};
}

Histogram::Bins Histogram::bins_from_json(const nlohmann::json& j) {
  Bins out;
  if (j.contains("counts")) {  // the earlier encoding
    for (const auto& pair : j.at("counts"))
      out.emplace_back(pair.at(0).get<uint64_t>(), pair.at(1).get<uint64_t>());
    return out;
  }
  const std::string& s = j.at("bins").get_ref<const std::string&>();
  uint64_t value = 0;
  const char* p = s.c_str();
  while (*p) {
    char* end = nullptr;
    const uint64_t delta = std::strtoull(p, &end, 10);
    if (end == p || *end != ':') throw std::invalid_argument("histogram: bad bins entry");
    p = end + 1;
    const uint64_t count = std::strtoull(p, &end, 10);
    if (end == p || (*end != ' ' && *end != '\0'))
      throw std::invalid_argument("histogram: bad bins entry");
    if (delta > kHighestTrackable || value + delta > kHighestTrackable)
      throw std::invalid_argument("histogram: value out of range");
    value += delta;
    out.emplace_back(value, count);
    p = *end ? end + 1 : end;
  }
  return out;
}

Histogram Histogram::from_json(const nlohmann::json& j) {
  if (!j.is_object() || j.value("unit", "") != "ns" || j.value("significant_digits", 0) != 3)
    throw std::invalid_argument("histogram: expected unit ns and 3 significant digits");
  Histogram h;
  try {
    for (const auto& [v, c] : bins_from_json(j)) {
      if (v > kHighestTrackable) throw std::invalid_argument("histogram: value out of range");
      h.counts_[index_of(v)] += c;
      h.total_ += c;
    }
    if (h.total_ != j.at("total").get<uint64_t>())
      throw std::invalid_argument("histogram: counts do not add up to total");
    h.min_ = h.total_ ? j.at("min").get<uint64_t>() : UINT64_MAX;
    h.max_ = j.at("max").get<uint64_t>();
    h.sum_ = j.at("sum").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("histogram: ") + e.what());
  }
  h.overflow_ = j.value("overflow", uint64_t{0});
  return h;
}

void Recorder::add_to(Histogram& h) const {
  uint64_t total = 0;
  for (size_t i = 0; i < Histogram::kCountsLen; ++i) {
    const uint64_t c = counts_[i].load(std::memory_order_relaxed);
    h.counts_[i] += c;
    total += c;
  }
  h.total_ += total;
  h.sum_ += sum_.load(std::memory_order_relaxed);
  if (total) {
    h.min_ = std::min(h.min_, min_.load(std::memory_order_relaxed));
    h.max_ = std::max(h.max_, max_.load(std::memory_order_relaxed));
  }
  h.overflow_ += overflow_.load(std::memory_order_relaxed);
}

Histogram Recorder::snapshot() const {
  Histogram h;
  for (size_t i = 0; i < Histogram::kCountsLen; ++i)
    h.counts_[i] = counts_[i].load(std::memory_order_relaxed);
  // Derive the total from the counts so percentiles stay consistent with them.
  uint64_t total = 0;
  for (uint64_t c : h.counts_) total += c;
  h.total_ = total;
  h.sum_ = sum_.load(std::memory_order_relaxed);
  h.min_ = min_.load(std::memory_order_relaxed);
  h.max_ = max_.load(std::memory_order_relaxed);
  h.overflow_ = overflow_.load(std::memory_order_relaxed);
  return h;
}

}  // namespace measure
