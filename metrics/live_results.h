// The latest results document of a run, as something prometheus-cpp's exposer can collect: each
// scrape turns the document into families (metrics/families.h), on the exposer's thread, so the
// run itself pays only for handing over a pointer.
#pragma once

#include <prometheus/collectable.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace metrics {

class LiveResults : public prometheus::Collectable {
 public:
  explicit LiveResults(std::map<std::string, std::string> extra_labels = {})
      : extra_(std::move(extra_labels)) {}
  void publish(std::shared_ptr<const nlohmann::json> results);
  std::vector<prometheus::MetricFamily> Collect() const override;
  // Waits until a scrape has collected the last published document, or `timeout`. True if one did.
  bool wait_for_scrape(std::chrono::milliseconds timeout) const;

 private:
  const std::map<std::string, std::string> extra_;
  mutable std::mutex mu_;
  mutable std::condition_variable scraped_;
  std::shared_ptr<const nlohmann::json> doc_;
  uint64_t published_ = 0;
  double published_at_ = 0;         // Unix time of the last publish
  mutable uint64_t collected_ = 0;  // the `published_` the last scrape saw
};

}  // namespace metrics
