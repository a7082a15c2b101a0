// One client of a run: a thread of a client process (which holds the device and the context its
// threads share), its session (or its process's), the buffers its operations need, and the code
// that performs one operation of each kind.
#pragma once

#include <atomic>
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

// A client process: a fresh process of the stack (its device) in the group's guest, with the
// context its threads share (open unless the group's script opens it) and, with session: process,
// the one session they share. Throws std::runtime_error.
class ClientProcess {
 public:
  ClientProcess(targets::Target& stack, const GroupSpec& g);
  ~ClientProcess();
  client::Device& device() { return *dev_; }
  client::Context& context() { return *ctx_; }
  client::Session& session() { return session_; }
  // Set by a fault just before it kills the process: a call that returns after that had no one
  // to return to, and counts as an error of kind "killed" (docs/workloads.md, kill_s).
  void mark_killed() { killed_.store(true, std::memory_order_release); }
  bool killed() const { return killed_.load(std::memory_order_acquire); }
  // Threads of this process inside an OCALL handler right now (the TA waits in the normal world
  // for them): a fault's evidence that it killed the process mid-OCALL.
  std::atomic<int>& ocall_handlers() { return in_ocall_handler_; }

 private:
  std::atomic<bool> killed_{false};
  std::atomic<int> in_ocall_handler_{0};
  std::unique_ptr<client::Device> dev_;
  std::unique_ptr<client::Context> ctx_;
  client::Session session_;
};

// Opens the benchmark TA kind of `g` on `ctx` with the group's login; a failure says why.
client::Result open_bench_session(client::Context& ctx, const GroupSpec& g, client::Session* out,
                                  std::string* why = nullptr);

class Client {
 public:
  // A thread of `process`: opens its own session unless the group shares the process's or its
  // script opens one. Throws std::runtime_error.
  Client(targets::Target& stack, const GroupSpec& g, std::shared_ptr<ClientProcess> process,
         uint64_t seed);
  ~Client();

  // Performs one operation of mix[i]; records into stats[...] for that op (one per stat_names)
  // unless `record` is false (warm-up). `start` is when the latency clock starts (the intended
  // start time for open-loop pacing).
  void run(size_t i, const measure::Clock& clock, uint64_t start, bool record,
           std::vector<OpStats*>& stats);
  size_t pick(const std::vector<OpSpec>& mix);
  // The process it is a thread of (a fault kills processes, not threads).
  const std::shared_ptr<ClientProcess>& process() const { return process_; }

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
  // The script's context and session steps (the buffers follow the context).
  void lifecycle(const OpSpec& op, const measure::Clock& clock, uint64_t start, bool record,
                 OpStats* stats);
  void prepare_all();
  client::Context& ctx() { return process_->context(); }
  client::Session& session() { return group_.shared_session ? process_->session() : session_; }

  targets::Target& stack_;
  const GroupSpec& group_;
  uint32_t guest_;
  // Declared first: the buffers and the session go before the process's context closes.
  std::shared_ptr<ClientProcess> process_;
  client::Session session_;  // its own (session: thread)
  std::vector<OpSpec> mix_;
  std::vector<Buffers> buffers_;
  std::mt19937_64 rng_;
  std::discrete_distribution<size_t> pick_;
};

// A short name for a failed call: the errno name of a failed ioctl, else the TEEC code name.
const char* error_kind(const client::Result& r);

}  // namespace workloads
