// The Prometheus view of a run: results.json (complete, or a checkpoint of a running run) turned
// into metric families. One function serves every way out (--serve, --push, --textfile and
// `teebench export`), so a live scrape and a file pushed months later name things the same way.
// Names, labels and buckets: docs/metrics.md.
#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace metrics {

// Upper bounds, in seconds, of the latency histograms' buckets: the E6 series (1, 1.5, 2.2, 3.3,
// 4.7, 6.8, each about x1.47 the one before) from 100 ns to 68 s. The fastest TEE call, a null
// invoke on a fast board, is a few µs; the slowest calls worth timing (a stalled thread pool, a
// watchdog's 10 s) are tens of seconds; beyond 68 s there is the +Inf bucket.
const std::vector<double>& latency_buckets();

// The labels every series of a run carries: the user's labels recorded in the run's context
// (context.labels), `optee_version` from the OP-TEE revision the target reported when the user
// gave none, and the target. `extra` (export --label) is added on top.
std::map<std::string, std::string> run_labels(const nlohmann::json& results,
                                              const std::map<std::string, std::string>& extra = {});

// Throws std::invalid_argument naming the problem when `results` is not a teebench results
// document. `checkpoint_time` (Unix seconds, 0 for none) is when the run last reported: the
// stalled-run alert compares it with the time.
std::vector<prometheus::MetricFamily> families(const nlohmann::json& results,
                                               const std::map<std::string, std::string>& extra = {},
                                               double checkpoint_time = 0);

// Now, in the Unix seconds `checkpoint_time` is given in.
double unix_now();

// The text exposition format (what /metrics serves and the Pushgateway takes).
std::string to_text(const std::vector<prometheus::MetricFamily>& families);

}  // namespace metrics
