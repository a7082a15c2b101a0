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
  // Two-sided bootstrap p-value of "no change": twice the share of resamples on the far side of
  // 1 from the estimate (1 when not bootstrapped).
  double p = 1;
};

// The ratio new/base of percentile `p` (0..100), with a `confidence` (e.g. 0.95) interval from
// bootstrapping the calls of each histogram: each resample's percentile is drawn directly from the
// order-statistic distribution (a Beta draw mapped through the histogram's cumulative counts,
// docs/compare.md), which equals resampling every call with replacement at the cost of one draw.
// `iterations` resamples; `seed` makes the interval repeatable.
Interval percentile_ratio(const measure::Histogram& base, const measure::Histogram& next, double p,
                          double confidence = 0.95, int iterations = 1000, uint64_t seed = 1);

}  // namespace reports

namespace reports {

// The ratio of medians next/base over repetitions, with a `confidence` interval from resampling
// the repetitions of each side with replacement (percentile bootstrap).
Interval median_ratio(std::span<const double> base, std::span<const double> next,
                      double confidence = 0.95, int iterations = 1000, uint64_t seed = 1);

double median(std::span<const double> v);

}  // namespace reports
