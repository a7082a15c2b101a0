// Inside the qemu target's guest, each checkpoint of a run also goes over the console, so what
// was measured reaches the host even when the guest then panics, hangs or is killed: the folder
// the guest sends home at the end never comes if the guest dies first. The host side is
// targets/qemu/console.cc; docs/targets.md describes the protocol.
//
// Checkpoints are whole documents that grow with every case, so sending each one would cost
// the square of the run's size in console time (1.2 MB for the 15 cases of qemu-short). Each
// case goes once instead: the document without its cases ("head"), then every case as it
// finishes ("case"), a case still running at most every kIntervalGap ("partial"), and the whole
// document once the run has ended ("checkpoint").
#pragma once

#include <chrono>
#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace app {

class CheckpointStream {
 public:
  // On only where the qemu target asked for it (TEEBENCH_CHECKPOINT_CONSOLE=1 in the guest).
  static bool wanted();

  // `results` as written to results.json; `partial`: its last case is still running.
  void send(const nlohmann::json& results, bool partial);

 private:
  // Console time is guest vCPU time taken from the run; a running case's figures are also in
  // the case when it ends, so 10 s bounds what a crash can lose without slowing short cases.
  static constexpr std::chrono::seconds kIntervalGap{10};
  static void line(const std::string& kind, const nlohmann::json& j);
  std::chrono::steady_clock::time_point last_partial_{};
  size_t cases_sent_ = 0;
  bool head_sent_ = false;
};

}  // namespace app
