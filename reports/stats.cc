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

using Bins = std::vector<std::pair<uint64_t, uint64_t>>;  // (lowest value, count), non-empty

Bins bins_of(const measure::Histogram& h) {
  Bins out;
  const nlohmann::json j = h.to_json();  // kept: a temporary's member would dangle in the loop
  for (const auto& bin : j["counts"])
    out.emplace_back(bin[0].get<uint64_t>(), bin[1].get<uint64_t>());
  return out;
}

// Percentile `p` of one Poisson bootstrap of the bins: each count redrawn, then the nearest rank
// over the bins alone (a few thousand at most) rather than a whole histogram's 27 648 counters.
uint64_t resampled_percentile(const Bins& bins, double p, std::mt19937_64& rng,
                              std::vector<uint64_t>& counts) {
  counts.resize(bins.size());
  uint64_t total = 0;
  for (size_t i = 0; i < bins.size(); ++i) {
    std::poisson_distribution<uint64_t> draw(static_cast<double>(bins[i].second));
    counts[i] = draw(rng);
    total += counts[i];
  }
  if (total == 0) return 0;
  const uint64_t rank = std::clamp<uint64_t>(
      static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total))), 1, total);
  uint64_t seen = 0;
  for (size_t i = 0; i < bins.size(); ++i) {
    seen += counts[i];
    if (seen >= rank)
      return measure::Histogram::highest_equivalent(measure::Histogram::index_of(bins[i].first));
  }
  return 0;
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
  const Bins base_bins = bins_of(base), next_bins = bins_of(next);
  std::vector<uint64_t> scratch;
  std::vector<double> ratios;
  ratios.reserve(static_cast<size_t>(iterations));
  for (int i = 0; i < iterations; ++i) {
    const double bp = static_cast<double>(resampled_percentile(base_bins, p, rng, scratch));
    const double np = static_cast<double>(resampled_percentile(next_bins, p, rng, scratch));
    if (bp > 0 && np > 0) ratios.push_back(np / bp);
  }
  if (ratios.empty()) return r;
  std::sort(ratios.begin(), ratios.end());
  auto at = [&](double q) {
    const size_t i = static_cast<size_t>(q * static_cast<double>(ratios.size() - 1) + 0.5);
    return ratios[std::min(i, ratios.size() - 1)];
  };
  r.low = at((1 - confidence) / 2);
  r.high = at(1 - (1 - confidence) / 2);
  return r;
}

}  // namespace reports
