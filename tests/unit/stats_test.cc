// The comparison statistics (reports/stats.h): the U test against SciPy's mannwhitneyu as an oracle
// (Debian's python3-scipy, installed by scripts/setup.sh) and against an exact value from the
// distribution's definition; bootstrap intervals by their coverage on synthetic data.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "reports/stats.h"

namespace {

using Pair = std::pair<std::vector<double>, std::vector<double>>;

// SciPy's two-sided p-values for each pair, from one Python process (SciPy's import is most of its
// cost), or empty where SciPy is not installed.
std::vector<double> scipy_p(const std::vector<Pair>& pairs) {
  if (!std::filesystem::exists("/usr/bin/python3")) return {};
  auto list = [](const std::vector<double>& v) {
    std::ostringstream s;
    s.precision(17);
    s << "[";
    for (size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << v[i];
    return s.str() + "]";
  };
  std::string data = "[";
  for (const auto& [a, b] : pairs) data += "(" + list(a) + "," + list(b) + "),";
  data += "]";
  const std::string cmd =
      "/usr/bin/python3 -c 'import sys\ntry:\n from scipy.stats import mannwhitneyu\nexcept "
      "ImportError:\n sys.exit()\nfor a, b in " +
      data + ":\n print(repr(mannwhitneyu(a, b, alternative=\"two-sided\").pvalue))' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {};
  std::vector<double> out;
  char buf[64];
  while (fgets(buf, sizeof buf, p)) out.push_back(std::atof(buf));
  pclose(p);
  if (out.size() != pairs.size()) return {};
  return out;
}

TEST(MannWhitney, CompleteSeparationOfFiveAndFiveIsTwoOver252) {
  const std::vector<double> a = {1, 2, 3, 4, 5}, b = {6, 7, 8, 9, 10};
  const auto r = reports::mann_whitney_u(a, b);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.u, 0);
  // One arrangement of C(10, 5) = 252 puts every a below every b; two-sided doubles it.
  EXPECT_NEAR(r.p, 2.0 / 252, 1e-15);
}

TEST(MannWhitney, MatchesScipyExactAndAsymptoticWithTies) {
  std::mt19937_64 rng(20261205);  // any fixed seed: the oracle sees the same samples
  std::normal_distribution<double> d(10, 3);
  struct Shape {
    size_t n1, n2;
    double shift;
    bool round;  // rounding to integers makes ties
  };
  const Shape shapes[] = {{3, 4, 0, false},    {5, 7, 2, false},  {8, 8, 1, false},
                          {6, 20, 3, false},   {9, 11, 1, false}, {12, 15, 2, true},
                          {30, 25, 0.5, true}, {4, 4, 0, true}};
  std::vector<Pair> pairs;
  for (const auto& s : shapes) {
    std::vector<double> a, b;
    for (size_t i = 0; i < s.n1; ++i) a.push_back(s.round ? std::round(d(rng)) : d(rng));
    for (size_t i = 0; i < s.n2; ++i)
      b.push_back(s.round ? std::round(d(rng) + s.shift) : d(rng) + s.shift);
    pairs.emplace_back(std::move(a), std::move(b));
  }
  const auto want = scipy_p(pairs);
  if (want.empty()) GTEST_SKIP() << "python3-scipy is not installed (scripts/setup.sh installs it)";
  int checked = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto r = reports::mann_whitney_u(pairs[i].first, pairs[i].second);
    EXPECT_NEAR(r.p, want[i], 1e-9 * std::max(1.0, want[i]))
        << pairs[i].first.size() << "x" << pairs[i].second.size();
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

TEST(MannWhitney, DeterministicRepetitionsAreEvidenceNotNoData) {
  // Identical repetitions within each run (a qemu icount run): equal runs show no difference...
  const std::vector<double> same = {65663, 65663, 65663};
  EXPECT_EQ(reports::mann_whitney_u(same, same).p, 1);
  // ...different ones do, as SciPy agrees.
  const std::vector<double> other = {70001, 70001, 70001};
  const auto r = reports::mann_whitney_u(same, other);
  EXPECT_LT(r.p, 0.1);
  if (const auto want = scipy_p({{same, other}}); !want.empty()) {
    EXPECT_NEAR(r.p, want[0], 1e-12);
  }
  EXPECT_EQ(reports::mann_whitney_u({}, other).p, 1);
}

measure::Histogram lognormal(std::mt19937_64& rng, size_t n, double scale) {
  std::lognormal_distribution<double> d(std::log(20000.0), 0.5);  // median 20 us
  measure::Histogram h;
  // In steps of 250 ns, as a clock or a busy path would quantise them: a few hundred distinct
  // values instead of thousands keeps 60 000 bootstraps quick under the sanitizers.
  for (size_t i = 0; i < n; ++i) h.record(static_cast<uint64_t>(d(rng) * scale / 250) * 250);
  return h;
}

// A 95 % interval for the change in the median covers the true change in about 95 % of runs, and
// a 10 % slowdown is told from no change.
TEST(Bootstrap, PercentileRatioIntervalCoversTheTruth) {
  std::mt19937_64 rng(7);
  const int trials = 100;  // coverage within 0.85..1.0 fails by chance with p < 0.003
  int covered_same = 0, covered_slow = 0, slow_seen = 0;
  for (int t = 0; t < trials; ++t) {
    const auto base = lognormal(rng, 3000, 1.0);
    const auto same = lognormal(rng, 3000, 1.0);
    const auto slow = lognormal(rng, 3000, 1.1);
    const auto a = reports::percentile_ratio(base, same, 50, 0.95, 200, t + 1);
    const auto b = reports::percentile_ratio(base, slow, 50, 0.95, 200, t + 1);
    covered_same += a.low <= 1.0 && 1.0 <= a.high;
    covered_slow += b.low <= 1.1 && 1.1 <= b.high;
    slow_seen += b.low > 1.0;
  }
  std::printf("coverage of 1.0: %d/%d, of 1.1: %d/%d; 10 %% slowdown seen in %d/%d\n", covered_same,
              trials, covered_slow, trials, slow_seen, trials);
  EXPECT_GE(covered_same, 85);
  EXPECT_GE(covered_slow, 85);
  EXPECT_GE(slow_seen, 95);  // 3000 calls a side resolve a 10 % change in the median
}

TEST(Bootstrap, SameSeedSameInterval) {
  std::mt19937_64 rng(3);
  const auto a = lognormal(rng, 500, 1), b = lognormal(rng, 500, 1.2);
  const auto x = reports::percentile_ratio(a, b, 99, 0.95, 200, 42);
  const auto y = reports::percentile_ratio(a, b, 99, 0.95, 200, 42);
  EXPECT_EQ(x.low, y.low);
  EXPECT_EQ(x.high, y.high);
  EXPECT_LE(x.low, x.estimate);
  EXPECT_GE(x.high, x.estimate);
}

}  // namespace
