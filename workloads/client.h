// One client of a run: its own process (device), context and session, the buffers its operations
// need, and the code that performs one operation of each kind.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "measure/clock.h"
#include "targets/target.h"
#include "teebench/tee/context.h"
#include "teebench/tee/session.h"
#include "teebench/tee/shared_memory.h"
#include "workloads/op_stats.h"
#include "workloads/spec.h"

namespace workloads {

// The statistics names an operation reports under: shm_churn reports three phases.
std::vector<std::string> stat_names(const OpSpec& op);

class Client {
 public:
  // Opens a context and a session on a fresh process of `stack` in guest `guest`. Throws
  // std::runtime_error.
  Client(targets::Target& stack, uint32_t guest, const std::vector<OpSpec>& mix, uint64_t seed);
  ~Client();

  // Performs one operation of mix[i]; records into stats[...] for that op (one per stat_names)
  // unless `record` is false (warm-up). `start` is when the latency clock starts (the intended
  // start time for open-loop pacing).
  void run(size_t i, const measure::Clock& clock, uint64_t start, bool record,
           std::vector<OpStats*>& stats);
  size_t pick(const std::vector<OpSpec>& mix);

 private:
  struct Buffers {
    client::SharedMemory shm;   // static / registered / copy target
    client::UserBuffer user;    // registered / tmpref backing, shm_churn registration source
    std::vector<uint8_t> host;  // copy mode's bounce source
    bool ready = false;
    std::string setup_error;
  };
  void prepare(const OpSpec& op, Buffers& b);
  client::Result invoke_memref(const OpSpec& op, Buffers& b, uint64_t size);
  void shm_churn(const OpSpec& op, Buffers& b, uint64_t size, const measure::Clock& clock,
                 bool record, std::vector<OpStats*>& stats);

  client::Result ocall_crash(const OpSpec& op);

  targets::Target& stack_;
  uint32_t guest_;
  std::unique_ptr<client::Device> dev_;
  std::unique_ptr<client::Context> ctx_;
  client::Session session_;
  std::vector<OpSpec> mix_;
  std::vector<Buffers> buffers_;
  std::mt19937_64 rng_;
  std::discrete_distribution<size_t> pick_;
};

// A short name for a failed call: the errno name of a failed ioctl, else the TEEC code name.
const char* error_kind(const client::Result& r);

}  // namespace workloads
