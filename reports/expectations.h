// Expectations are judged over repetitions, not per repetition. An invariant (correctness: no
// lost call, no leak, no deadlock) fails the run the first time it fails, on any host. An
// expectation (performance shape: throughput plateau, recovery, a neighbour's latency, ...) can
// be missed by a healthy stack on a host busy with something else, so one miss is a data point:
// it fails the run only when the misses across repetitions are too many to be chance, and never
// in a case during which other processes kept the host busy. docs/verdicts.md says it for users.
#pragma once

#include "reports/results.h"

namespace reports {

// How often a healthy stack on a quiet host may miss an expectation in one repetition: the
// checks' thresholds are set so that misses are rarer than this (docs/verdicts.md).
inline constexpr double kHealthyMissRate = 0.1;
// Misses gate when they are this unlikely for a healthy stack (binomial upper tail): with 3
// repetitions all 3 must miss (0.001), with 5, 3 of them (0.0086); 1 repetition never gates.
inline constexpr double kMissAlpha = 0.01;

// P(X >= k) for X ~ Binomial(n, p).
double binomial_upper_tail(unsigned k, unsigned n, double p);

// Rewrites the cases' expectation verdicts (is_expectation) in place: a miss that is not
// significant, or in a case on a busy host (counters "host_others_cpu_share"), becomes "not
// judged" with the reason and what was measured; a significant one stays a failure with the
// count of misses in its evidence. Run-level expectations (one figure over the whole run) are one
// observation: advisory. Cases cut short are not judged at all.
void judge_expectations(RunResult& run);

}  // namespace reports
