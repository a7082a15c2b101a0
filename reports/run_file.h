// A results file read for comparison: teebench's results.json or Google Benchmark's JSON output
// (bench/), both turned into the same shape — series of figures, one value per repetition — so
// `teebench compare` judges microbenchmarks and workload runs the same way (docs/compare.md).
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "measure/histogram.h"

namespace reports {

// A file that cannot be compared; what() is the one-line reason and its fix.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One figure of one series: a value per repetition.
struct Figure {
  std::string name;  // p50, p90, p99, p99.9, throughput, real_time, cpu_time
  bool lower_is_better = true;
  std::string unit;            // ns, 1/s
  std::vector<double> values;  // one per repetition, in the order they ran
  // For a latency percentile: the percentile (0..100) and each repetition's histogram, so that a
  // single repetition can still be bootstrapped; and the calls each repetition had.
  double percentile = 0;
  std::vector<const measure::Histogram*> histograms;
  std::vector<uint64_t> calls;
};

// One operation of one case (teebench) or one benchmark (Google Benchmark).
struct Series {
  std::string key;       // what matches it across runs: the case's parameters, group and op
  std::string scenario;  // teebench scenario, or "microbenchmark"
  std::string label;     // the case label (whole), or the benchmark name
  std::string op;        // group/op, or "" for a benchmark
  std::vector<Figure> figures;
};

struct VerdictRecord {
  std::string key;  // scenario + case key + verdict name
  std::string label, name, outcome, detail;
};

struct ComparableRun {
  std::string path;
  std::string format;  // "teebench" or "google-benchmark"
  std::string status;  // complete, interrupted, failed, running
  nlohmann::json context;
  std::vector<Series> series;
  std::vector<VerdictRecord> verdicts;
  // Whether repetitions of this run repeat exactly (the qemu target's icount mode).
  bool deterministic = false;
  // Histograms the figures point into.
  std::vector<std::unique_ptr<measure::Histogram>> histogram_store;
};

// Reads `path`; throws InputError (unreadable, not JSON, an unknown schema, no measured series).
ComparableRun load_comparable(const std::string& path);
// The same from a document already in memory (`name` names it in messages).
ComparableRun comparable_from_json(const nlohmann::json& doc, const std::string& name);

}  // namespace reports
