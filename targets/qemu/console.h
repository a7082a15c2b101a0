// The guest's console as the qemu target reads it: every byte goes to console.log; lines that
// start with "@@teebench" are the protocol of the guest's /init (scripts/qemu/guest-init); the
// command's own output is relayed to this process's stdout and stderr as it arrives; the
// results archive (base64 of a gzipped tar of the guest's output folder) is unpacked; a run's
// streamed checkpoints (app/checkpoint_stream.h) rewrite results.json as they arrive.
#pragma once

#include <functional>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace targets::qemu {

class Console {
 public:
  // `out_dir` receives the results ("" = the command writes none).
  // `on_results` (optional) gets each whole results document as it is rewritten: live metrics.
  Console(const std::string& log_path, std::string out_dir,
          std::function<void(const nlohmann::json&)> on_results = {});
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  void feed(std::string_view bytes);
  void finish();  // end of output: a last line without newline, close the log

  bool started() const { return started_; }
  bool exited() const { return exited_; }
  int exit_code() const { return exit_code_; }
  double tee0_s() const { return tee0_s_; }
  const std::string& kernel() const { return kernel_; }
  const std::vector<std::string>& optee_log() const { return optee_log_; }
  const std::string& error() const { return error_; }  // the guest's own "@@teebench error"
  bool results_unpacked() const { return unpacked_; }
  const std::string& results_error() const { return results_error_; }
  // How many of the run's streamed checkpoints reached out_dir/results.json.
  int checkpoints() const { return checkpoints_; }

 private:
  void line(std::string l);
  void unpack();
  void checkpoint(const std::string& kind, const std::string& json);

  std::FILE* log_ = nullptr;
  std::string out_dir_;
  std::string partial_;
  bool started_ = false, exited_ = false, in_results_ = false, unpacked_ = false;
  int exit_code_ = 2;
  int checkpoints_ = 0;
  double tee0_s_ = 0;
  std::string kernel_, error_, results_error_;
  std::vector<std::string> optee_log_;
  std::string base64_;
  std::function<void(const nlohmann::json&)> on_results_;
  nlohmann::json run_;           // the streamed run without its running case
  nlohmann::json running_case_;  // null when no case is running
};

// Base64 (RFC 4648) decoding; characters outside the alphabet are skipped.
std::string base64_decode(std::string_view in);

}  // namespace targets::qemu
