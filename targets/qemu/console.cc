#include "targets/qemu/console.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace targets::qemu {

std::string base64_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    if (v < 0) continue;  // '=', newlines, carriage returns
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

Console::Console(const std::string& log_path, std::string out_dir,
                 std::function<void(const nlohmann::json&)> on_results)
    : log_(std::fopen(log_path.c_str(), "w")),
      out_dir_(std::move(out_dir)),
      on_results_(std::move(on_results)) {}

Console::~Console() {
  if (log_) std::fclose(log_);
}

void Console::feed(std::string_view bytes) {
  if (log_) std::fwrite(bytes.data(), 1, bytes.size(), log_);
  partial_.append(bytes);
  size_t start = 0;
  for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1)
    line(partial_.substr(start, nl - start));
  partial_.erase(0, start);
}

void Console::finish() {
  if (!partial_.empty()) line(std::move(partial_));
  partial_.clear();
  if (log_) std::fflush(log_);
}

void Console::line(std::string l) {
  // The serial line ends lines with \r\n.
  while (!l.empty() && (l.back() == '\r' || l.back() == '\n')) l.pop_back();
  static constexpr std::string_view kTag = "@@teebench ";
  if (in_results_) {
    if (l == "@@teebench results-end") {
      in_results_ = false;
      unpack();
    } else {
      base64_ += l;
    }
    return;
  }
  if (l.rfind(kTag, 0) != 0) {
    // Before the command: firmware, U-Boot and kernel messages, kept in console.log only.
    if (started_ && !exited_) std::fprintf(stdout, "%s\n", l.c_str()), std::fflush(stdout);
    return;
  }
  const std::string rest = l.substr(kTag.size());
  const auto word = rest.substr(0, rest.find(' '));
  const std::string arg = rest.size() > word.size() ? rest.substr(word.size() + 1) : "";
  if (word == "stderr") {
    std::fprintf(stderr, "%s\n", arg.c_str());
    std::fflush(stderr);
  } else if (word == "tee0") {
    tee0_s_ = std::strtod(arg.c_str(), nullptr);
  } else if (word == "klog") {
    optee_log_.push_back(arg);
  } else if (word == "kernel") {
    kernel_ = arg;
  } else if (word == "start") {
    started_ = true;
  } else if (word == "exit") {
    exited_ = true;
    exit_code_ = std::atoi(arg.c_str());
  } else if (word == "error") {
    error_ = arg;
  } else if (word == "checkpoint" || word == "head" || word == "case" || word == "partial") {
    checkpoint(word, arg);
  } else if (word == "results-begin") {
    in_results_ = true;
    base64_.clear();
  }
}

// The guest's run as its streamed checkpoints tell it (app/checkpoint_stream.h): a document
// without cases, finished cases one by one, the running case now and then, the whole document at
// the end. Each message rewrites out_dir/results.json (a temporary file renamed over it, as
// teebench writes its own); a line cut short by a dying guest does not parse and is dropped.
void Console::checkpoint(const std::string& kind, const std::string& text) {
  if (out_dir_.empty()) return;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return;
  if (kind == "checkpoint" || kind == "head") {
    nlohmann::json cases = run_.is_object() && run_.contains("cases") ? std::move(run_["cases"])
                                                                      : nlohmann::json::array();
    run_ = std::move(j);
    if (kind == "head") run_["cases"] = std::move(cases);
    running_case_ = nullptr;
  } else if (!run_.is_object()) {
    return;  // a case before its document: not from this protocol
  } else if (kind == "case") {
    run_["cases"].push_back(std::move(j));
    running_case_ = nullptr;
  } else {
    running_case_ = std::move(j);
  }
  nlohmann::json doc = run_;
  if (!running_case_.is_null()) doc["cases"].push_back(running_case_);
  namespace fs = std::filesystem;
  fs::create_directories(out_dir_);
  const std::string path = out_dir_ + "/results.json";
  {
    std::ofstream tmp(path + ".tmp", std::ios::binary | std::ios::trunc);
    tmp << doc.dump(1) << '\n';
    if (!tmp.flush()) return;
  }
  std::error_code ec;
  fs::rename(path + ".tmp", path, ec);
  if (!ec) ++checkpoints_;
  if (on_results_) on_results_(doc);
}

void Console::unpack() {
  if (out_dir_.empty()) return;
  namespace fs = std::filesystem;
  fs::create_directories(out_dir_);
  const std::string archive = out_dir_ + "/.guest-results.tar.gz";
  std::ofstream(archive, std::ios::binary) << base64_decode(base64_);
  base64_.clear();
  // tar(1) for the archive: the guest's busybox wrote it, the host's GNU tar reads it.
  const std::string cmd = "tar -xzf '" + archive + "' -C '" + out_dir_ + "' 2>&1";
  if (std::system(cmd.c_str()) == 0)
    unpacked_ = true;
  else
    results_error_ = "the results sent back by the guest did not unpack (" + archive + " kept)";
  if (unpacked_) fs::remove(archive);
}

}  // namespace targets::qemu
