// The run's progress on stderr: one line rewritten in place on a terminal; on a pipe or a file
// (CI logs), one line per case when it ends and one every kPipeEvery_s while a long case runs.
#pragma once

#include <cstddef>
#include <string>

#include "reports/results.h"

namespace app {

class Progress {
 public:
  explicit Progress(size_t cases);
  void update(size_t index, const std::string& label, double elapsed,
              const reports::CaseResult& partial);
  void done_case(size_t index, const std::string& label, const reports::CaseResult& result);
  // Ends a line left open on the terminal, so that a message printed next starts on its own.
  void break_line();

 private:
  // A CI log gets a heartbeat at this pace: often enough to show a long case is alive, rarely
  // enough that a 3-hour sweep's log stays readable.
  static constexpr double kPipeEvery_s = 10;
  std::string line(size_t index, const std::string& label, double elapsed,
                   const reports::CaseResult& c) const;

  bool tty_;
  size_t cases_;
  bool open_line_ = false;
  double last_piped_s_ = 0;
};

}  // namespace app
