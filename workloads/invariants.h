// The invariants every case checks, whatever its scenario: correctness that holds on any host,
// however busy, so a failure is a defect of the stack (or of teebench), never noise. One table,
// one function per invariant (docs/verdicts.md lists them); scenarios add their own on top.
#pragma once

#include <string_view>
#include <vector>

#include "reports/results.h"
#include "targets/target.h"
#include "workloads/spec.h"
#include "workloads/worker.h"

namespace workloads {

// What the checks see of a finished case.
struct CaseEvidence {
  const WorkloadSpec& spec;
  const std::vector<Worker>& workers;
  const reports::CaseResult& result;
  // The stack's counters before the case's clients existed and after they were all gone (absent
  // where the target cannot count).
  const targets::StackCounters& before;
  const targets::StackCounters& after;
};

struct InvariantCheck {
  std::string_view name;
  // Appends this invariant's verdict(s); appends nothing where it does not apply.
  void (*check)(const CaseEvidence& e, std::vector<reports::Verdict>& out);
};

const std::vector<InvariantCheck>& invariant_checks();

}  // namespace workloads
