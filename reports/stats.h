// Statistics for comparing two runs (docs/compare.md): the Mann-Whitney U test across repetitions,
// as Google Benchmark's compare.py uses it, and bootstrap confidence intervals for a change in a
// percentile, computed from the stored histograms.
#pragma once

#include <cstdint>
#include <span>

#include "measure/histogram.h"

namespace reports {

struct UTest {
  double u = 0;        // U of the first sample
  double p = 1;        // two-sided p-value
  bool exact = false;  // from the exact distribution rather than the normal approximation
};

// Two-sided Mann-Whitney U test of `a` against `b`. As SciPy's mannwhitneyu(method="auto")
// decides: the exact distribution when there are no ties and the smaller sample has at most 8
// values, otherwise the normal approximation with tie and continuity corrections. Samples in
// which every value is the same (a deterministic run's repetitions) give p = 1 only when the two
// are equal; an empty sample gives p = 1.
UTest mann_whitney_u(std::span<const double> a, std::span<const double> b);

struct Interval {
  double estimate = 0, low = 0, high = 0;
};

// The ratio new/base of percentile `p` (0..100), with a `confidence` (e.g. 0.95) interval from a
// Poisson bootstrap over the histograms' bins: each bin's count is redrawn as Poisson(count), which
// for large counts is the multinomial resampling of the calls and costs one draw per non-empty bin
// instead of one per call. `iterations` resamples; `seed` makes the interval repeatable.
Interval percentile_ratio(const measure::Histogram& base, const measure::Histogram& next, double p,
                          double confidence = 0.95, int iterations = 1000, uint64_t seed = 1);

}  // namespace reports
