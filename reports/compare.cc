#include "reports/compare.h"

#include "reports/context.h"
#include "reports/results.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace reports {

using nlohmann::json;

const char* to_string(Change c) {
  switch (c) {
    case Change::kNoChange:
      return "no significant change";
    case Change::kImprovement:
      return "improvement";
    case Change::kRegression:
      return "regression";
    case Change::kNotJudged:
      return "not judged";
  }
  return "?";
}

double min_u_test_p(size_t n, size_t m) {
  if (n == 0 || m == 0) return 1;
  // 2 / C(n+m, n): both extreme orderings out of all equally likely ones.
  double c = 1;
  for (size_t i = 1; i <= n; ++i) c = c * static_cast<double>(m + i) / static_cast<double>(i);
  return std::min(1.0, 2 / c);
}

size_t Comparison::count(Change c, bool gating_only) const {
  size_t n = 0;
  for (const auto& s : series)
    for (const auto& cell : s.cells)
      if (cell.change == c && (!gating_only || cell.gating)) ++n;
  return n;
}

size_t Comparison::regressions() const {
  size_t n = count(Change::kRegression, true);
  for (const auto& v : verdict_changes)
    if (v.next == "fail" && v.gating) ++n;
  return n;
}

namespace {

// The least calls a repetition needs for a percentile to be one: ten beyond its rank, so that p99.9
// of 800 calls (the slowest call) is not judged as if it were a percentile.
constexpr const char* kTooFewRepetitions = "too few repetitions for the U test";

uint64_t min_calls(double percentile) {
  // The epsilon keeps 10 / 0.001 from rounding up to 10001.
  return percentile <= 0 ? 1 : static_cast<uint64_t>(std::ceil(10 / (1 - percentile / 100) - 1e-6));
}

bool regressed(const Cell& c) { return c.lower_is_better ? c.delta > 0 : c.delta < 0; }

void judge_deterministic(const Figure& b, const Figure& n, Cell& c) {
  // No noise between boots: the repetitions are the measurement. Any change outside the spread
  // the repetitions themselves show is real.
  const auto [bmin, bmax] = std::minmax_element(b.values.begin(), b.values.end());
  const auto [nmin, nmax] = std::minmax_element(n.values.begin(), n.values.end());
  c.method = "deterministic";
  c.gating = true;
  if (*bmin > 0) c.ratio = {c.next / c.base, *nmin / *bmax, *nmax / *bmin, 1};
  c.p = (*nmin > *bmax || *nmax < *bmin) ? 0 : 1;
}

void judge_repetitions(const Figure& b, const Figure& n, const CompareOptions& o, Cell& c) {
  c.method = "U test";
  c.gating = true;
  c.p = mann_whitney_u(b.values, n.values).p;
  c.ratio = median_ratio(b.values, n.values, 0.95, o.bootstrap_iterations, o.seed);
  if (min_u_test_p(b.values.size(), n.values.size()) >= o.alpha) c.note = kTooFewRepetitions;
}

void judge_one_repetition(const Figure& b, const Figure& n, const CompareOptions& o, Cell& c) {
  if (b.percentile <= 0 || !b.histograms.front() || !n.histograms.front()) {
    c.note = "one repetition a side: no spread to judge by";
    return;
  }
  // One side may have several repetitions: its calls pooled stand for it.
  auto pooled = [](const Figure& f) {
    measure::Histogram h;
    for (const auto* x : f.histograms)
      if (x) h.merge(*x);
    return h;
  };
  c.method = "bootstrap";
  c.gating = false;
  c.ratio =
      percentile_ratio(pooled(b), pooled(n), b.percentile, 0.95, o.bootstrap_iterations, o.seed);
  c.p = c.ratio.p;
  c.note = "one repetition: advisory";
}

Cell compare_figure(const Figure& b, const Figure& n, bool deterministic, const CompareOptions& o) {
  Cell c;
  c.figure = b.name;
  c.unit = b.unit;
  c.lower_is_better = b.lower_is_better;
  c.base_reps = b.values.size();
  c.next_reps = n.values.size();
  c.base = median(b.values);
  c.next = median(n.values);
  if (c.base <= 0) {
    c.note = "base is 0";
    return c;
  }
  c.delta = c.next / c.base - 1;
  c.ratio = {c.next / c.base, c.next / c.base, c.next / c.base, 1};
  if (b.percentile > 0) {
    const uint64_t need = min_calls(b.percentile);
    const uint64_t have = std::min(*std::min_element(b.calls.begin(), b.calls.end()),
                                   *std::min_element(n.calls.begin(), n.calls.end()));
    if (have < need) {
      c.note = fmt::format("{} calls in a repetition; {} needs {}", have, b.name, need);
      return c;
    }
  }
  if (deterministic)
    judge_deterministic(b, n, c);
  else if (b.values.size() >= 2 && n.values.size() >= 2)
    judge_repetitions(b, n, o, c);
  else
    judge_one_repetition(b, n, o, c);
  if (c.method.empty()) return c;
  if (c.note == kTooFewRepetitions) {
    c.change = Change::kNotJudged;
    return c;
  }
  const bool significant = c.p < o.alpha && std::abs(c.delta) >= o.min_effect;
  c.change = !significant   ? Change::kNoChange
             : regressed(c) ? Change::kRegression
                            : Change::kImprovement;
  return c;
}

std::string text(const json& v) {
  if (v.is_null()) return "(none)";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// Context fields whose difference makes latencies incomparable, and why.
struct ContextField {
  const char* path;  // JSON pointer into the context
  const char* why;
};
constexpr ContextField kContextFields[] = {
    {"/host_name", "different machines"},
    {"/cpu_model", "different CPUs"},
    {"/num_cpus", "different CPU counts"},
    {"/kernel", "different host kernels"},
    {"/clock/name", "different clocks"},
    {"/target", "different targets"},
    {"/device/profile", "different platform cost profiles"},
    {"/device/secure_threads", "different secure thread counts"},
    {"/device/driver", "different driver generations"},
    {"/device/optee_revision", "different OP-TEE revisions"},
    {"/qemu/firmware", "different firmware"},
    {"/qemu/icount", "one run deterministic (icount), the other TCG wall clock"},
    {"/qemu/smp", "different vCPU counts"},
    {"/library_build_type", "different benchmark library builds"},
    {"/mhz_per_cpu", "different CPU clocks"},
};

void context_warnings(const ComparableRun& b, const ComparableRun& n, Comparison& out) {
  for (const auto& f : kContextFields) {
    const json::json_pointer ptr(f.path);
    const bool hb = b.context.contains(ptr), hn = n.context.contains(ptr);
    if (!hb && !hn) continue;
    const json vb = hb ? b.context[ptr] : json(nullptr), vn = hn ? n.context[ptr] : json(nullptr);
    if (vb != vn)
      out.warnings.push_back(fmt::format("{}: {} {} vs {}", f.why, f.path + 1, text(vb), text(vn)));
  }
  const json cb = b.context.value("emulator_base_configuration", json::object());
  const json cn = n.context.value("emulator_base_configuration", json::object());
  for (const auto& [k, v] : cb.items())
    if (cn.contains(k) && cn[k] != v)
      out.warnings.push_back(
          fmt::format("different emulator configuration: {} {} vs {}", k, text(v), text(cn[k])));
  for (const ComparableRun* r : {&b, &n}) {
    const std::string which = r == &b ? "BASE" : "NEW";
    if (r->status != "complete")
      out.warnings.push_back(
          fmt::format("{} run is {}, not complete: only its finished cases "
                      "are compared",
                      which, r->status));
    if (r->context.value("cpu_scaling_enabled", false))
      out.warnings.push_back(which + ": CPU frequency scaling was on; timings move with it");
    if (const double load = busy_host_load(r->context); load > 0)
      out.warnings.push_back(
          fmt::format("{}: the host was busy (1-minute load {:.2f} on {} CPUs) when the run "
                      "started",
                      which, load, r->context.value("num_cpus", 0)));
  }
}

void compare_verdicts(const ComparableRun& b, const ComparableRun& n, Comparison& out) {
  // A verdict fails for a key when it failed in any repetition.
  auto fold = [](const ComparableRun& r) {
    std::map<std::string, const VerdictRecord*> m;
    for (const auto& v : r.verdicts) {
      auto [it, fresh] = m.emplace(v.key, &v);
      if (!fresh && v.outcome == "fail") it->second = &v;
    }
    return m;
  };
  const auto mb = fold(b), mn = fold(n);
  for (const auto& [key, vn] : mn) {
    const auto it = mb.find(key);
    if (it == mb.end() || it->second->outcome == vn->outcome) continue;
    if (vn->outcome != "fail" && it->second->outcome != "fail") continue;  // pass <-> skipped
    out.verdict_changes.push_back(
        VerdictChange{vn->label, vn->name, it->second->outcome, vn->outcome,
                      vn->outcome == "fail" ? vn->detail : it->second->detail,
                      vn->outcome == "fail" && !is_expectation(vn->name)});
  }
}

}  // namespace

Comparison compare_runs(const ComparableRun& base, const ComparableRun& next,
                        const CompareOptions& options) {
  Comparison out;
  out.base_path = base.path;
  out.next_path = next.path;
  out.options = options;
  out.deterministic = base.deterministic && next.deterministic;
  if (base.format != next.format)
    throw InputError(fmt::format("{} is {} output and {} is {} output: compare like with like",
                                 base.path, base.format, next.path, next.format));
  context_warnings(base, next, out);
  std::map<std::string, const Series*> next_by_key;
  for (const auto& s : next.series) next_by_key.emplace(s.key, &s);
  std::set<std::string> matched;
  size_t single = 0;
  for (const auto& sb : base.series) {
    const auto it = next_by_key.find(sb.key);
    if (it == next_by_key.end()) {
      ++out.only_base;
      continue;
    }
    matched.insert(sb.key);
    SeriesComparison sc{sb.key, sb.scenario, sb.label, sb.op, {}};
    for (const auto& fb : sb.figures)
      for (const auto& fn : it->second->figures)
        if (fn.name == fb.name && !fb.values.empty() && !fn.values.empty())
          sc.cells.push_back(compare_figure(fb, fn, out.deterministic, options));
    for (const auto& c : sc.cells)
      if (c.method == "bootstrap" || (c.method.empty() && c.base_reps < 2)) {
        ++single;
        break;
      }
    out.series.push_back(std::move(sc));
  }
  out.only_next = next.series.size() - matched.size();
  if (out.series.empty())
    throw InputError(
        fmt::format("{} and {} have no case in common (different workloads?): "
                    "compare runs of the same workload",
                    base.path, next.path));
  compare_verdicts(base, next, out);
  if (single > 0 && !out.deterministic) {
    size_t need = 2;
    while (min_u_test_p(need, need) >= options.alpha) ++need;
    out.notes.push_back(fmt::format(
        "{} of {} series have one repetition a side: their changes are advisory and do not fail "
        "the gate. Run with \"repetitions\": {} or more in the workload to judge run-to-run noise",
        single, out.series.size(), need));
  }
  size_t too_few = 0;
  for (const auto& s : out.series)
    for (const auto& c : s.cells) too_few += c.note == kTooFewRepetitions;
  if (too_few > 0) {
    size_t need = 2;
    while (min_u_test_p(need, need) >= options.alpha) ++need;
    out.notes.push_back(fmt::format(
        "{} figures were not judged: with their repetitions the U test cannot reach p < {} "
        "(it needs {} distinct values a side); run with \"repetitions\": {} or more",
        too_few, options.alpha, need, need));
  }
  if (out.only_base || out.only_next)
    out.notes.push_back(fmt::format("{} series only in BASE, {} only in NEW (not compared)",
                                    out.only_base, out.only_next));
  if (out.deterministic)
    out.notes.push_back(
        "both runs are deterministic (QEMU icount): repetitions repeat exactly, "
        "so any change beyond their spread is real and judged by its size alone");
  return out;
}

}  // namespace reports
