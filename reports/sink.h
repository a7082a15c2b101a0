// Where a run's results go besides results.json: the extension point of metrics exporters
// (metrics/: a Prometheus /metrics endpoint, a Pushgateway, a node_exporter textfile). The run
// hands every checkpoint to each sink; a sink must never slow the run down or change its outcome:
// it copes with its own failures (a warning on stderr) and returns.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>

namespace reports {

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  // The whole results document as of a checkpoint (the same as results.json). Its "status" is
  // "running" until the last one.
  virtual void publish(const std::shared_ptr<const nlohmann::json>& results) = 0;
  // The run is over and its last document published: deliver what is still pending, within the
  // sink's own time bound.
  virtual void close() {}
};

}  // namespace reports
