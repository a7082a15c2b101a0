// `teebench compare`'s verdicts (reports/compare.h) on synthetic pairs of runs whose truth is
// known: no change, 10 % slower, 10 % faster, noisy repetitions, a deterministic target, one
// repetition, Google Benchmark output, and every input error.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "reports/compare.h"
#include "reports/compare_text.h"
#include "reports/expectations.h"

namespace {

using nlohmann::json;
using reports::Change;

struct Synthetic {
  double scale = 1;      // true change of every latency
  double rep_noise = 0;  // sd of a per-repetition multiplicative factor (log scale)
  uint32_t reps = 6;
  uint64_t calls = 5000;  // per repetition
  uint64_t seed = 1;
  bool deterministic = false;  // every repetition the same calls (QEMU icount)
};

// A results.json of one case and op: lognormal latencies (median 20 us, sigma 0.5, the shape of
// an emulated invoke under load), throughput from the calls' total time.
json synthetic_run(const Synthetic& s) {
  std::mt19937_64 rng(s.seed);
  std::normal_distribution<double> noise(0, s.rep_noise);
  json cases = json::array();
  for (uint32_t r = 0; r < s.reps; ++r) {
    std::mt19937_64 calls_rng(s.deterministic ? 7 : rng());
    std::lognormal_distribution<double> lat(std::log(20000.0), 0.5);
    const double factor = s.scale * std::exp(s.rep_noise > 0 ? noise(rng) : 0);
    measure::Histogram h;
    double total_ns = 0;
    for (uint64_t i = 0; i < s.calls; ++i) {
      const double v = lat(calls_rng) * factor;
      h.record(static_cast<uint64_t>(v));
      total_ns += v;
    }
    cases.push_back({{"label", "size=4K"},
                     {"params",
                      {{"scenario", "shm"},
                       {"workload", "syn"},
                       {"size", "4K"},
                       {"configuration", {{"driver", "6.8"}}}}},
                     {"repetition", r},
                     {"complete", true},
                     {"operations",
                      {{{"group", "io"},
                        {"op", "memref_read"},
                        {"count", s.calls},
                        {"throughput_per_s", static_cast<double>(s.calls) / (total_ns / 1e9)},
                        {"histogram", h.to_json()}}}},
                     {"verdicts", json::array()}});
  }
  json ctx = {{"host_name", "h"}, {"num_cpus", 2}};
  if (s.deterministic) ctx["qemu"] = {{"icount", true}};
  return {{"schema", "teebench-results/1"},
          {"status", "complete"},
          {"context", ctx},
          {"cases", cases},
          {"verdicts", json::array()}};
}

reports::Comparison compare(const json& base, const json& next) {
  return reports::compare_runs(reports::comparable_from_json(base, "BASE"),
                               reports::comparable_from_json(next, "NEW"), {});
}

const reports::Cell& cell(const reports::Comparison& c, const std::string& figure) {
  for (const auto& cl : c.series.at(0).cells)
    if (cl.figure == figure) return cl;
  throw std::runtime_error("no figure " + figure);
}

TEST(Compare, NoChangeIsNoRegression) {
  const auto c = compare(synthetic_run({.seed = 1}), synthetic_run({.seed = 2}));
  EXPECT_EQ(c.regressions(), 0u) << reports::compare_text(c, true);
  EXPECT_EQ(c.count(Change::kImprovement, false), 0u);
  EXPECT_EQ(cell(c, "p50").method, "U test");
}

TEST(Compare, TenPercentSlowerIsARegression) {
  const auto c = compare(synthetic_run({.seed = 1}), synthetic_run({.scale = 1.1, .seed = 2}));
  for (const char* f : {"p50", "p90", "p99", "throughput"}) {
    EXPECT_EQ(cell(c, f).change, Change::kRegression) << f << "\n"
                                                      << reports::compare_text(c, true);
    EXPECT_TRUE(cell(c, f).gating);
  }
  EXPECT_NEAR(cell(c, "p50").delta, 0.10, 0.03);
  EXPECT_NEAR(cell(c, "throughput").delta, 1 / 1.1 - 1, 0.03);
  EXPECT_LT(cell(c, "p50").ratio.low, 1.1);
  EXPECT_GT(cell(c, "p50").ratio.high, 1.0);
  EXPECT_GE(c.regressions(), 4u);
}

TEST(Compare, TenPercentFasterIsAnImprovement) {
  const auto c = compare(synthetic_run({.seed = 1}), synthetic_run({.scale = 0.9, .seed = 2}));
  EXPECT_EQ(c.regressions(), 0u);
  EXPECT_EQ(cell(c, "p50").change, Change::kImprovement);
  EXPECT_EQ(cell(c, "throughput").change, Change::kImprovement);
}

// Run-to-run noise (15 % per repetition, as a shared host gives) must not read as a regression
// more often than alpha allows, and a change well above the noise must still be found.
TEST(Compare, NoisyRepetitions) {
  int false_alarms = 0, found = 0;
  constexpr int kTrials = 20;
  for (int t = 0; t < kTrials; ++t) {
    const uint64_t s = 100 + 2 * static_cast<uint64_t>(t);
    const auto same = compare(synthetic_run({.rep_noise = 0.15, .seed = s}),
                              synthetic_run({.rep_noise = 0.15, .seed = s + 1}));
    false_alarms += same.regressions() > 0;
    const auto slower = compare(synthetic_run({.rep_noise = 0.15, .seed = s}),
                                synthetic_run({.scale = 1.4, .rep_noise = 0.15, .seed = s + 1}));
    found += cell(slower, "p50").change == Change::kRegression;
  }
  // Five figures a trial at alpha 0.05: about 10 % of trials by chance (the figures are
  // correlated); a fault would show as most of them.
  EXPECT_LE(false_alarms, 5) << "of " << kTrials;
  EXPECT_GE(found, 15) << "of " << kTrials;
}

TEST(Compare, TooFewRepetitionsAreSaidAndNotJudged) {
  const auto c = compare(synthetic_run({.reps = 3, .seed = 1}),
                         synthetic_run({.scale = 1.5, .reps = 3, .seed = 2}));
  EXPECT_EQ(cell(c, "p50").change, Change::kNotJudged);
  EXPECT_EQ(c.regressions(), 0u);
  ASSERT_FALSE(c.notes.empty());
  EXPECT_NE(c.notes[0].find("repetitions"), std::string::npos) << c.notes[0];
}

TEST(Compare, OneRepetitionIsAdvisory) {
  const auto c = compare(synthetic_run({.reps = 1, .calls = 50000, .seed = 1}),
                         synthetic_run({.scale = 1.1, .reps = 1, .calls = 50000, .seed = 2}));
  EXPECT_EQ(cell(c, "p50").method, "bootstrap");
  EXPECT_EQ(cell(c, "p50").change, Change::kRegression);
  EXPECT_FALSE(cell(c, "p50").gating);
  EXPECT_EQ(cell(c, "throughput").change, Change::kNotJudged);  // nothing to bootstrap it from
  EXPECT_EQ(c.regressions(), 0u) << "one repetition must not fail the gate";
  EXPECT_NE(reports::compare_text(c, false).find("advisory"), std::string::npos);
}

TEST(Compare, DeterministicRunsAreJudgedByTheirSize) {
  const Synthetic det{.reps = 3, .deterministic = true};
  auto same = compare(synthetic_run(det), synthetic_run(det));
  EXPECT_EQ(cell(same, "p50").method, "deterministic");
  EXPECT_EQ(cell(same, "p50").change, Change::kNoChange);
  EXPECT_EQ(same.regressions(), 0u);
  Synthetic slower = det;
  slower.scale = 1.1;
  const auto c = compare(synthetic_run(det), synthetic_run(slower));
  EXPECT_EQ(cell(c, "p50").change, Change::kRegression);
  EXPECT_TRUE(cell(c, "p50").gating);
  EXPECT_TRUE(c.deterministic);
  // A 2 % change is real but below the minimum effect.
  slower.scale = 1.02;
  EXPECT_EQ(cell(compare(synthetic_run(det), synthetic_run(slower)), "p50").change,
            Change::kNoChange);
}

TEST(Compare, PercentilesNeedEnoughCalls) {
  const auto c = compare(synthetic_run({.calls = 2000, .seed = 1}),
                         synthetic_run({.scale = 1.5, .calls = 2000, .seed = 2}));
  EXPECT_EQ(cell(c, "p99.9").change, Change::kNotJudged);  // needs 10 000 calls
  EXPECT_NE(cell(c, "p99.9").note.find("needs 10000"), std::string::npos) << cell(c, "p99.9").note;
  EXPECT_EQ(cell(c, "p99").change, Change::kRegression);
}

TEST(Compare, MatchesCasesByParametersNotPosition) {
  json base = synthetic_run({.seed = 1});
  json next = synthetic_run({.scale = 1.2, .seed = 2});
  // Another case ahead of it in NEW, and the stack configuration changed: still matched.
  json extra = next["cases"][0];
  extra["params"]["size"] = "1M";
  next["cases"].insert(next["cases"].begin(), extra);
  for (auto& c : next["cases"]) c["params"]["configuration"]["driver"] = "pre-6.8";
  const auto c = compare(base, next);
  ASSERT_EQ(c.series.size(), 1u);
  EXPECT_EQ(c.only_next, 1u);
  EXPECT_EQ(cell(c, "p50").next_reps, 6u);
  EXPECT_EQ(cell(c, "p50").change, Change::kRegression);
}

TEST(Compare, AVerdictThatNowFailsIsARegression) {
  json base = synthetic_run({.seed = 1});
  json next = synthetic_run({.seed = 2});
  base["cases"][0]["verdicts"] = {{{"name", "no_lost_call"}, {"outcome", "pass"}, {"detail", ""}}};
  next["cases"][0]["verdicts"] = {
      {{"name", "no_lost_call"}, {"outcome", "fail"}, {"detail", "3 calls lost"}}};
  const auto c = compare(base, next);
  ASSERT_EQ(c.verdict_changes.size(), 1u);
  EXPECT_EQ(c.verdict_changes[0].detail, "3 calls lost");
  EXPECT_EQ(c.regressions(), 1u);
  // An expectation about performance shape newly failing in one run is shown, not gated on.
  base["cases"][0]["verdicts"] = {{{"name", "recovery"}, {"outcome", "pass"}, {"detail", ""}}};
  next["cases"][0]["verdicts"] = {
      {{"name", "recovery"}, {"outcome", "fail"}, {"detail", "never returned"}}};
  const auto e = compare(base, next);
  ASSERT_EQ(e.verdict_changes.size(), 1u);
  EXPECT_FALSE(e.verdict_changes[0].gating);
  EXPECT_EQ(e.regressions(), 0u);
  EXPECT_NE(reports::compare_outcome(e).find("expectation"), std::string::npos);
}

TEST(Compare, ContextDifferencesAreWarnings) {
  json base = synthetic_run({.seed = 1});
  json next = synthetic_run({.seed = 2});
  next["context"]["host_name"] = "other";
  next["context"]["load_avg"] = {1.9, 1.0, 0.5};
  next["status"] = "interrupted";
  const auto c = compare(base, next);
  std::string all;
  for (const auto& w : c.warnings) all += w + "\n";
  EXPECT_NE(all.find("different machines"), std::string::npos) << all;
  EXPECT_NE(all.find("busy"), std::string::npos) << all;
  EXPECT_NE(all.find("interrupted"), std::string::npos) << all;
}

json google_benchmark(double real_ns, int reps, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 0.01);
  json b = json::array();
  for (int r = 0; r < reps; ++r) {
    const double v = real_ns * (1 + noise(rng));
    b.push_back({{"name", "BM_NullInvoke/repeats:6"},
                 {"run_name", "BM_NullInvoke"},
                 {"run_type", "iteration"},
                 {"repetition_index", r},
                 {"iterations", 100000},
                 {"real_time", v / 1000},
                 {"cpu_time", v / 1000},
                 {"time_unit", "us"}});
  }
  b.push_back({{"name", "BM_NullInvoke_mean"},
               {"run_name", "BM_NullInvoke"},
               {"run_type", "aggregate"},
               {"real_time", 1.0},
               {"time_unit", "us"}});
  return {{"context", {{"host_name", "h"}, {"library_build_type", "release"}}}, {"benchmarks", b}};
}

TEST(Compare, GoogleBenchmarkJson) {
  const auto c = compare(google_benchmark(500, 6, 1), google_benchmark(600, 6, 2));
  ASSERT_EQ(c.series.size(), 1u);
  EXPECT_EQ(c.series[0].label, "BM_NullInvoke");
  EXPECT_EQ(cell(c, "real_time").base_reps, 6u);  // the aggregate is not a repetition
  EXPECT_NEAR(cell(c, "real_time").base, 500, 20);
  EXPECT_EQ(cell(c, "real_time").change, Change::kRegression);
  EXPECT_EQ(compare(google_benchmark(500, 6, 1), google_benchmark(500, 6, 3)).regressions(), 0u);
}

TEST(Compare, InputErrors) {
  using reports::InputError;
  EXPECT_THROW(reports::comparable_from_json(json::object(), "x"), InputError);
  EXPECT_THROW(reports::comparable_from_json({{"schema", "teebench-results/9"}}, "x"), InputError);
  json empty = synthetic_run({});
  empty["cases"] = json::array();
  EXPECT_THROW(reports::comparable_from_json(empty, "x"), InputError);
  json bad = synthetic_run({});
  bad["cases"][0]["operations"][0]["histogram"] = "garbage";
  EXPECT_THROW(reports::comparable_from_json(bad, "x"), InputError);
  json other = synthetic_run({});
  for (auto& c : other["cases"]) c["params"]["workload"] = "other";
  EXPECT_THROW(compare(synthetic_run({}), other), InputError);
  EXPECT_THROW(compare(synthetic_run({}), google_benchmark(1, 2, 1)), InputError);
  EXPECT_THROW(reports::load_comparable("/nonexistent/results.json"), InputError);
  try {
    compare(synthetic_run({}), other);
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no case in common"), std::string::npos) << e.what();
  }
}

TEST(Compare, MarkdownKeepsWholeLabelsAndEscapesPipes) {
  json base = synthetic_run({.seed = 1});
  json next = synthetic_run({.scale = 1.2, .seed = 2});
  for (json* d : {&base, &next})
    for (auto& c : (*d)["cases"]) c["label"] = "a|b with a long label that must not be cut";
  const std::string md = reports::compare_markdown(compare(base, next));
  EXPECT_NE(md.find("a\\|b with a long label that must not be cut"), std::string::npos) << md;
  EXPECT_NE(md.find("**REGRESSION**"), std::string::npos);
}

TEST(Compare, MinimumUTestP) {
  EXPECT_NEAR(reports::min_u_test_p(3, 3), 0.1, 1e-12);  // 2 / C(6,3)
  EXPECT_NEAR(reports::min_u_test_p(4, 4), 2.0 / 70, 1e-12);
}

}  // namespace

// ---- expectations judged over repetitions (reports/expectations.h) ----------------------------

namespace {

reports::CaseResult case_with(const std::string& verdict, reports::Outcome o, double busy = 0) {
  reports::CaseResult c;
  c.label = "default";
  c.complete = true;
  c.counters = {{"host_others_cpu_share", busy}};
  c.verdicts.push_back({verdict, o, "measured", {}});
  return c;
}

}  // namespace

TEST(Expectations, BinomialTailMatchesHandComputedValues) {
  EXPECT_NEAR(reports::binomial_upper_tail(3, 3, 0.1), 0.001, 1e-12);
  EXPECT_NEAR(reports::binomial_upper_tail(1, 1, 0.1), 0.1, 1e-12);
  // P(X >= 3 | n=5, p=0.1) = 10*0.001*0.81 + 5*0.0001*0.9 + 0.00001
  EXPECT_NEAR(reports::binomial_upper_tail(3, 5, 0.1), 0.00856, 1e-9);
  EXPECT_DOUBLE_EQ(reports::binomial_upper_tail(0, 4, 0.1), 1.0);
}

TEST(Expectations, OneMissIsNotJudgedButEveryRepetitionMissingFails) {
  reports::RunResult one;
  one.cases.push_back(case_with("recovery", reports::Outcome::kFail));
  reports::judge_expectations(one);
  EXPECT_EQ(one.cases[0].verdicts[0].outcome, reports::Outcome::kSkipped);
  EXPECT_FALSE(one.any_failed());

  reports::RunResult three;
  for (int i = 0; i < 3; ++i) three.cases.push_back(case_with("recovery", reports::Outcome::kFail));
  reports::judge_expectations(three);
  EXPECT_TRUE(three.any_failed());
  EXPECT_EQ(three.cases[0].verdicts[0].evidence["missed"], 3);

  reports::RunResult two_of_three;
  two_of_three.cases.push_back(case_with("recovery", reports::Outcome::kFail));
  two_of_three.cases.push_back(case_with("recovery", reports::Outcome::kPass));
  two_of_three.cases.push_back(case_with("recovery", reports::Outcome::kFail));
  reports::judge_expectations(two_of_three);
  EXPECT_FALSE(two_of_three.any_failed());
}

TEST(Expectations, BusyHostAndCutShortCasesAreNotJudgedButInvariantsAre) {
  reports::RunResult run;
  for (int i = 0; i < 3; ++i)
    run.cases.push_back(case_with("throughput_plateau", reports::Outcome::kFail, 0.6));
  reports::judge_expectations(run);
  EXPECT_FALSE(run.any_failed());
  EXPECT_NE(run.cases[0].verdicts[0].detail.find("other processes used 60%"), std::string::npos);

  reports::RunResult inv;
  inv.cases.push_back(case_with("no_leaks", reports::Outcome::kFail, 0.9));
  reports::judge_expectations(inv);
  EXPECT_TRUE(inv.any_failed());  // an invariant holds on any host
}
