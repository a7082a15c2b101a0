#include "app/checkpoint_stream.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

namespace app {

bool CheckpointStream::wanted() {
  const char* e = std::getenv("TEEBENCH_CHECKPOINT_CONSOLE");
  return e && std::strcmp(e, "1") == 0;
}

void CheckpointStream::line(const std::string& kind, const nlohmann::json& j) {
  // One line (compact JSON escapes every newline) written with one write(2): the tty layer does
  // not interleave another writer (the relayed stderr) into a single write. Whatever stdio holds
  // goes first so the line starts at the beginning of a console line.
  const std::string text = "@@teebench " + kind + " " +
                           j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fflush(stdout);
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the file on the guest's disk still has it; the final archive too
    off += static_cast<size_t>(n);
  }
}

void CheckpointStream::send(const nlohmann::json& results, bool partial) {
  const auto& cases = results["cases"];
  if (results.value("status", "running") != "running") {
    line("checkpoint", results);  // ended: analysis may have touched every case
    cases_sent_ = cases.size();
    return;
  }
  const size_t finished = cases.size() - (partial ? 1 : 0);
  if (!head_sent_) {  // what a running document holds besides its cases does not change
    nlohmann::json head = results;
    head.erase("cases");
    line("head", head);
    head_sent_ = true;
  }
  for (; cases_sent_ < finished; ++cases_sent_) line("case", cases[cases_sent_]);
  const auto now = std::chrono::steady_clock::now();
  if (partial && now - last_partial_ >= kIntervalGap) {
    last_partial_ = now;
    line("partial", cases.back());
  }
}

}  // namespace app
