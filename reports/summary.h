// The console summary of a run: the verdicts first (how many held, which failed and why), then per
// workload part a table of its cases — whole labels on their own lines, repetitions pooled, no row
// for a group that issued nothing — and the scenario's headline figures. `verbose` adds every
// repetition's rows. Columns are fixed; a name wider than its column moves the row's figures to
// the next line instead of being cut.
#pragma once

#include <string>

#include "reports/results.h"

namespace reports {

std::string run_summary(const RunResult& r, bool verbose);

}  // namespace reports
