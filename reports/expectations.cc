#include "reports/expectations.h"

#include <fmt/core.h>

#include <cmath>
#include <map>

#include "reports/host_load.h"

namespace reports {

double binomial_upper_tail(unsigned k, unsigned n, double p) {
  double tail = 0;
  for (unsigned i = k; i <= n; ++i)
    tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) +
                     i * std::log(p) + (n - i) * std::log1p(-p));
  return std::min(1.0, tail);
}

namespace {

double others_share(const CaseResult& c) {
  return c.counters.is_object() ? c.counters.value("host_others_cpu_share", 0.0) : 0.0;
}

void not_judged(Verdict& v, const std::string& why) {
  v.outcome = Outcome::kSkipped;
  v.detail = "not judged: " + why + " (measured: " + v.detail + ")";
}

}  // namespace

void judge_expectations(RunResult& run) {
  // (case label, verdict name) -> the repetitions' verdicts.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<CaseResult*, Verdict*>>>
      series;
  for (auto& c : run.cases)
    for (auto& v : c.verdicts)
      if (is_expectation(v.name) && v.outcome != Outcome::kSkipped)
        series[{c.label, v.name}].emplace_back(&c, &v);
  for (auto& [key, reps] : series) {
    unsigned judged = 0, missed = 0;
    for (auto& [c, v] : reps) {
      if (!c->complete) {
        not_judged(*v, "the case was cut short");
        continue;
      }
      if (const double share = others_share(*c); share > kBusyHostShare) {
        if (v->outcome == Outcome::kFail)
          not_judged(*v, fmt::format("other processes used {:.0f}% of the host's CPU time during "
                                     "this case",
                                     100 * share));
        continue;
      }
      ++judged;
      missed += v->outcome == Outcome::kFail;
    }
    if (missed == 0) continue;
    const double p = binomial_upper_tail(missed, judged, kHealthyMissRate);
    for (auto& [c, v] : reps) {
      if (v->outcome != Outcome::kFail) continue;
      v->evidence["missed"] = missed;
      v->evidence["repetitions_judged"] = judged;
      v->evidence["p_healthy"] = p;
      if (p < kMissAlpha) {
        v->detail += fmt::format(" [missed in {} of {} repetitions: significant, p={:.2g}]", missed,
                                 judged, p);
      } else {
        not_judged(*v, fmt::format("missed in {} of {} repetitions, which a healthy stack does "
                                   "with p={:.2g}; {} repetitions that all miss would be "
                                   "significant",
                                   missed, judged, p, judged < 3 ? 3u : judged + 1));
      }
    }
  }
  for (auto& v : run.verdicts)
    if (is_expectation(v.name) && v.outcome == Outcome::kFail)
      not_judged(v,
                 "one figure over the whole run is one observation; compare two runs with "
                 "teebench compare to judge it");
}

}  // namespace reports
