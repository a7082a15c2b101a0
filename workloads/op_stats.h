// Per client, per operation: the latency recorder and counted errors. Written by one client thread,
// read by the coordinator at any time.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "measure/histogram.h"

namespace workloads {

class OpStats {
 public:
  static constexpr size_t kErrorKinds = 8;

  void ok(uint64_t latency_ns) { latency.record(latency_ns); }
  // Errors are counted by kind ("TEEC_ERROR_BUSY", "ENOMEM", ...); kinds past the 8th go to
  // "other".
  void error(const char* kind) {
    for (size_t i = 0; i < kErrorKinds; ++i) {
      const char* k = kinds_[i].load(std::memory_order_acquire);
      if (k == nullptr) {
        kinds_[i].store(kind, std::memory_order_release);
        k = kind;
      }
      if (k == kind || std::string_view(k) == kind) {
        counts_[i].store(counts_[i].load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return;
      }
    }
    other_.store(other_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  template <typename F>
  void for_each_error(F&& f) const {
    for (size_t i = 0; i < kErrorKinds; ++i)
      if (const char* k = kinds_[i].load(std::memory_order_acquire))
        f(k, counts_[i].load(std::memory_order_relaxed));
    if (uint64_t o = other_.load(std::memory_order_relaxed)) f("other", o);
  }
  uint64_t error_count() const {
    uint64_t n = 0;
    for_each_error([&n](const char*, uint64_t c) { n += c; });
    return n;
  }

  measure::Recorder latency;

 private:
  std::array<std::atomic<const char*>, kErrorKinds> kinds_{};
  std::array<std::atomic<uint64_t>, kErrorKinds> counts_{};
  std::atomic<uint64_t> other_{0};
};

}  // namespace workloads
