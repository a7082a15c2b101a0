#include "app/progress.h"

#include <fmt/core.h>
#include <unistd.h>

namespace app {

Progress::Progress(size_t cases) : tty_(isatty(STDERR_FILENO)), cases_(cases) {}

std::string Progress::line(size_t index, const std::string& label, double elapsed,
                           const reports::CaseResult& c) const {
  uint64_t calls = 0, errors = 0;
  for (const auto& o : c.ops) {
    calls += o.count;
    errors += o.error_total();
  }
  return fmt::format("[{}/{}] {:<40} {:6.1f} s  {:>10} calls  {:>6} errors", index + 1, cases_,
                     label.substr(0, 40), elapsed, calls, errors);
}

void Progress::update(size_t index, const std::string& label, double elapsed,
                      const reports::CaseResult& partial) {
  if (tty_) {
    fmt::print(stderr, "\r{}\033[K", line(index, label, elapsed, partial));
    open_line_ = true;
  } else if (elapsed - last_piped_s_ >= kPipeEvery_s) {
    fmt::print(stderr, "{} ...\n", line(index, label, elapsed, partial));
    last_piped_s_ = elapsed;
  }
}

void Progress::done_case(size_t index, const std::string& label,
                         const reports::CaseResult& result) {
  if (tty_)
    fmt::print(stderr, "\r{}\033[K\n", line(index, label, result.duration_s, result));
  else
    fmt::print(stderr, "{}\n", line(index, label, result.duration_s, result));
  open_line_ = false;
  last_piped_s_ = 0;
}

void Progress::break_line() {
  if (open_line_) fmt::print(stderr, "\n");
  open_line_ = false;
}

}  // namespace app
