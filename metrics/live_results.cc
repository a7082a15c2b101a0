#include "metrics/live_results.h"

#include <nlohmann/json.hpp>

#include "metrics/families.h"

namespace metrics {

void LiveResults::publish(std::shared_ptr<const nlohmann::json> results) {
  std::lock_guard lock(mu_);
  doc_ = std::move(results);
  ++published_;
  published_at_ = unix_now();
}

std::vector<prometheus::MetricFamily> LiveResults::Collect() const {
  std::shared_ptr<const nlohmann::json> doc;
  uint64_t seen;
  double at;
  {
    std::lock_guard lock(mu_);
    doc = doc_;
    seen = published_;
    at = published_at_;
  }
  if (!doc) return {};
  std::vector<prometheus::MetricFamily> out;
  try {
    out = families(*doc, extra_, at);
  } catch (const std::exception&) {
    return {};  // not a results document: nothing to show (the run reports its own errors)
  }
  {
    std::lock_guard lock(mu_);
    collected_ = std::max(collected_, seen);
  }
  scraped_.notify_all();
  return out;
}

bool LiveResults::wait_for_scrape(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return scraped_.wait_for(lock, timeout, [&] { return collected_ >= published_; });
}

}  // namespace metrics
