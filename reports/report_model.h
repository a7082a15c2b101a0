// What the report pages (run and compare) read out of a results document: operations pooled over
// their repetitions, the environment warnings, and the page frame they share.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "measure/histogram.h"

namespace reports::page {

// One operation of one case, its repetitions pooled.
struct PooledOp {
  std::string case_label, op;
  nlohmann::json params;  // the case's
  uint32_t repetitions = 0;
  uint64_t count = 0, errors = 0;
  double throughput_per_s = 0;  // mean over repetitions
  measure::Histogram latency;
  nlohmann::json intervals = nlohmann::json::array();  // the first repetition's
};

struct ScenarioPart {
  std::string part, scenario;
  std::vector<PooledOp> ops;                 // in case order
  std::vector<const nlohmann::json*> cases;  // first repetition of each case
  nlohmann::json metrics;                    // the scenario's run-level figures
};

// The parts of a run (one per included workload), in the order they ran.
std::vector<ScenarioPart> parts_of(const nlohmann::json& results);
// Context facts that make the figures less than board timing, one line each.
std::vector<std::string> environment_warnings(const nlohmann::json& results);

// Nested objects as rows of "a.b.c": value, in key order (a scenario's figures, a context).
void flatten(const nlohmann::json& j, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out);
// A JSON value as a table shows it (numbers to 4 significant digits).
std::string value_text(const nlohmann::json& v);

// The shared page frame (styles for tables, charts, verdict colours).
std::string html_page(const std::string& title, const std::string& body);
// The percentile spectrum of `ops` (HdrHistogram's plot: latency against 1/(1-q) on log axes).
std::string spectrum_chart(const std::string& title,
                           const std::vector<std::pair<std::string, const measure::Histogram*>>& s,
                           bool dashed_second_half = false);

}  // namespace reports::page
