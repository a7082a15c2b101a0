// Two runs compared (docs/compare.md): series matched by their parameters, each figure's change
// with a confidence interval and a p-value, and a verdict a release gate can act on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reports/run_file.h"
#include "reports/stats.h"

namespace reports {

struct CompareOptions {
  double alpha = 0.05;       // significance level of each figure's test
  double min_effect = 0.05;  // the smallest |new/base - 1| worth a verdict
  // Resamples per bootstrap interval: 1000 puts the 2.5 % and 97.5 % points 25 resamples in from
  // the ends, enough for a stable 95 % interval (Efron and Tibshirani, ch. 13).
  int bootstrap_iterations = 1000;
  uint64_t seed = 1;  // fixed, so the same two files always give the same output
};

enum class Change { kNoChange, kImprovement, kRegression, kNotJudged };
const char* to_string(Change c);

// One figure of one matched series.
struct Cell {
  std::string figure, unit;
  bool lower_is_better = true;
  size_t base_reps = 0, next_reps = 0;
  double base = 0, next = 0;  // medians over the repetitions
  double delta = 0;           // next / base - 1
  Interval ratio;             // next / base with its 95 % interval
  double p = 1;
  std::string method;  // "U test", "deterministic", "bootstrap", or "" when not judged
  Change change = Change::kNotJudged;
  // Whether this verdict can fail the gate: only evidence across repetitions (or from a
  // deterministic target) does; a single repetition's bootstrap sees call-to-call noise but not
  // run-to-run noise (a busy host), so its findings are shown as advisory.
  bool gating = false;
  std::string note;  // why it was not judged, or what limits it
};

// A regression or an improvement, advisory or not.
inline bool is_change(const Cell& c) {
  return c.change == Change::kRegression || c.change == Change::kImprovement;
}

struct SeriesComparison {
  std::string key, scenario, label, op;
  std::vector<Cell> cells;
};

struct VerdictChange {
  std::string label, name, base, next, detail;
  // An invariant that held and now fails gates; an expectation (reports::is_expectation) that
  // now fails is shown but does not: one run's expectation verdict is not significant evidence
  // of a change (host noise moves it), its figures are judged instead.
  bool gating = false;
};

struct Comparison {
  std::string base_path, next_path;
  std::vector<std::string> warnings;  // context differences that make the comparison unfair
  std::vector<std::string> notes;     // what limits the statistics (repetitions, calls)
  std::vector<SeriesComparison> series;
  std::vector<VerdictChange> verdict_changes;
  size_t only_base = 0, only_next = 0;
  bool deterministic = false;
  CompareOptions options;
  // Gating regressions: figures, and verdicts that held in BASE and fail in NEW.
  size_t regressions() const;
  size_t count(Change c, bool gating_only) const;
};

// Throws InputError when the two have no series in common.
Comparison compare_runs(const ComparableRun& base, const ComparableRun& next,
                        const CompareOptions& options);

// The smallest two-sided p the exact U test can give with n and m distinct values a side.
double min_u_test_p(size_t n, size_t m);

}  // namespace reports
