#include "reports/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

namespace reports {
namespace {

// Number of ways each U in 0..n1*n2 arises (Mann and Whitney 1947's recurrence), as doubles: the
// exact test is only used up to 8 values on one side, where the counts are far below 2^53.
std::vector<double> u_counts(size_t n1, size_t n2) {
  // f[i][j] over k, built up by sample sizes: f(i, j, k) = f(i-1, j, k-j) + f(i, j-1, k).
  std::vector<std::vector<std::vector<double>>> f(n1 + 1, std::vector<std::vector<double>>(n2 + 1));
  for (size_t i = 0; i <= n1; ++i)
    for (size_t j = 0; j <= n2; ++j) {
      f[i][j].assign(i * j + 1, 0);
      if (i == 0 || j == 0) {
        f[i][j][0] = 1;
        continue;
      }
      for (size_t k = 0; k <= i * j; ++k) {
        double c = 0;
        if (k >= j) c += f[i - 1][j][k - j];
        if (k <= i * (j - 1)) c += f[i][j - 1][k];
        f[i][j][k] = c;
      }
    }
  return f[n1][n2];
}

// A histogram as its non-empty bins: each bin's highest equivalent value (what percentile()
// reports) and the number of calls at or below it.
struct Cumulative {
  std::vector<uint64_t> value, calls_up_to;
  uint64_t total = 0;
};

Cumulative cumulative_of(const measure::Histogram& h) {
  Cumulative out;
  for (const auto& [lowest, count] : h.bins()) {
    out.total += count;
    out.value.push_back(
        measure::Histogram::highest_equivalent(measure::Histogram::index_of(lowest)));
    out.calls_up_to.push_back(out.total);
  }
  return out;
}

// Percentile `p` of one bootstrap resample of the calls, drawn without building the resample: the
// k-th smallest of N calls drawn with replacement from the empirical distribution F is
// F^-1(U(k)), and the k-th smallest of N uniforms is Beta(k, N + 1 - k) (order statistics). One
// Beta draw and a binary search over the bins replace N draws, so a run of millions of calls
// costs the same as one of thousands.
uint64_t resampled_percentile(const Cumulative& c, double p, std::mt19937_64& rng) {
  if (c.total == 0) return 0;
  const auto n = static_cast<double>(c.total);
  const double k = std::clamp(std::ceil(p / 100.0 * n), 1.0, n);
  std::gamma_distribution<double> ga(k, 1.0), gb(n + 1 - k, 1.0);
  const double x = ga(rng), y = gb(rng);
  const double u = x / (x + y);
  const auto rank = static_cast<uint64_t>(std::clamp(std::ceil(u * n), 1.0, n));
  const auto it = std::lower_bound(c.calls_up_to.begin(), c.calls_up_to.end(), rank);
  return c.value[static_cast<size_t>(it - c.calls_up_to.begin())];
}

// The interval's ends and the bootstrap p-value from the resampled ratios.
void summarize(std::vector<double>& ratios, double confidence, Interval& r) {
  if (ratios.empty()) return;
  std::sort(ratios.begin(), ratios.end());
  auto at = [&](double q) {
    const size_t i = static_cast<size_t>(q * static_cast<double>(ratios.size() - 1) + 0.5);
    return ratios[std::min(i, ratios.size() - 1)];
  };
  r.low = at((1 - confidence) / 2);
  r.high = at(1 - (1 - confidence) / 2);
  const auto n = static_cast<double>(ratios.size());
  const double at_or_below =
      static_cast<double>(std::upper_bound(ratios.begin(), ratios.end(), 1.0) - ratios.begin());
  const double at_or_above =
      static_cast<double>(ratios.end() - std::lower_bound(ratios.begin(), ratios.end(), 1.0));
  r.p = std::min(1.0, 2 * std::min(at_or_below, at_or_above) / n);
}

}  // namespace

UTest mann_whitney_u(std::span<const double> a, std::span<const double> b) {
  UTest r;
  const size_t n1 = a.size(), n2 = b.size(), n = n1 + n2;
  if (n1 == 0 || n2 == 0) return r;
  // Ranks of the pooled samples, ties given their mean rank.
  std::vector<std::pair<double, int>> pooled;
  for (double x : a) pooled.emplace_back(x, 0);
  for (double x : b) pooled.emplace_back(x, 1);
  std::sort(pooled.begin(), pooled.end());
  double rank_sum_a = 0, tie_term = 0;
  bool ties = false;
  for (size_t i = 0; i < n;) {
    size_t k = i;
    while (k < n && pooled[k].first == pooled[i].first) ++k;
    const double t = static_cast<double>(k - i);
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(k)) / 2;
    for (size_t m = i; m < k; ++m)
      if (pooled[m].second == 0) rank_sum_a += mean_rank;
    if (t > 1) ties = true;
    tie_term += t * t * t - t;
    i = k;
  }
  const double dn1 = static_cast<double>(n1), dn2 = static_cast<double>(n2);
  r.u = rank_sum_a - dn1 * (dn1 + 1) / 2;
  const double u_big = std::max(r.u, dn1 * dn2 - r.u);
  if (!ties && std::min(n1, n2) <= 8) {
    const auto counts = u_counts(n1, n2);
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    double upper = 0;  // P(U >= u_big)
    for (size_t k = static_cast<size_t>(std::llround(u_big)); k < counts.size(); ++k)
      upper += counts[k];
    r.p = std::min(1.0, 2 * upper / total);
    r.exact = true;
    return r;
  }
  const double dn = static_cast<double>(n);
  const double var = dn1 * dn2 / 12 * ((dn + 1) - tie_term / (dn * (dn - 1)));
  if (var <= 0) return r;  // every value the same: no evidence of a difference
  const double z = (u_big - dn1 * dn2 / 2 - 0.5) / std::sqrt(var);
  r.p = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return r;
}

Interval percentile_ratio(const measure::Histogram& base, const measure::Histogram& next, double p,
                          double confidence, int iterations, uint64_t seed) {
  Interval r;
  const double b0 = static_cast<double>(base.percentile(p));
  const double n0 = static_cast<double>(next.percentile(p));
  if (b0 <= 0 || base.total() == 0 || next.total() == 0) return r;
  r.estimate = r.low = r.high = n0 / b0;
  if (iterations <= 0) return r;
  std::mt19937_64 rng(seed);
  const Cumulative base_bins = cumulative_of(base), next_bins = cumulative_of(next);
  std::vector<double> ratios;
  ratios.reserve(static_cast<size_t>(iterations));
  for (int i = 0; i < iterations; ++i) {
    const double bp = static_cast<double>(resampled_percentile(base_bins, p, rng));
    const double np = static_cast<double>(resampled_percentile(next_bins, p, rng));
    if (bp > 0 && np > 0) ratios.push_back(np / bp);
  }
  summarize(ratios, confidence, r);
  return r;
}

double median(std::span<const double> v) {
  if (v.empty()) return 0;
  std::vector<double> s(v.begin(), v.end());
  std::sort(s.begin(), s.end());
  const size_t n = s.size();
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

Interval median_ratio(std::span<const double> base, std::span<const double> next, double confidence,
                      int iterations, uint64_t seed) {
  Interval r;
  const double b0 = median(base), n0 = median(next);
  if (b0 <= 0 || next.empty()) return r;
  r.estimate = r.low = r.high = n0 / b0;
  if (iterations <= 0) return r;
  std::mt19937_64 rng(seed);
  std::vector<double> bs(base.size()), ns(next.size()), ratios;
  ratios.reserve(static_cast<size_t>(iterations));
  std::uniform_int_distribution<size_t> pick_b(0, base.size() - 1), pick_n(0, next.size() - 1);
  for (int i = 0; i < iterations; ++i) {
    for (auto& x : bs) x = base[pick_b(rng)];
    for (auto& x : ns) x = next[pick_n(rng)];
    const double b = median(bs);
    if (b > 0) ratios.push_back(median(ns) / b);
  }
  summarize(ratios, confidence, r);
  return r;
}

}  // namespace reports
