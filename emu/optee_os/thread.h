// Secure threads: a fixed pool of CFG_NUM_THREADS slots in FREE / ACTIVE / SUSPENDED
// (optee_os core/arch/arm/kernel/thread.c, thread_optee_smc.c). There is no queue in the secure
// world: a std call that finds no FREE slot returns ETHREAD_LIMIT at once.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "emu/optee_os/thread_stack.h"
#include "emu/platform/smc.h"

namespace emu::optee_os {

enum class ThreadState : uint8_t { kFree, kActive, kSuspended };
const char* to_string(ThreadState s);

class Partition;

struct TaInfo;

struct Thread {
  uint32_t id = 0;
  const TaInfo* ta = nullptr;  // the TA this thread is running, if any (tee_ta_get_current_session)
  ThreadState state = ThreadState::kFree;
  ThreadStack stack;
  platform::SmcRegs regs;            // entry registers, then the exit registers
  std::array<uint64_t, 4> rpc_rv{};  // a1, a2, a4, a5 of RETURN_FROM_RPC
  bool exiting_for_rpc = false;
  uint64_t entered_ns = 0;  // last time this thread got the CPU (foreign-interrupt tick)
  class ThreadPool* pool = nullptr;
  // Where RPC arguments go during this std call: after the msg arg when the normal world supplied
  // one (WITH_RPC_ARG / WITH_REGD_ARG), else a buffer from RPC_ALLOC kept across calls while the
  // prealloc RPC cache is enabled (thread_rpc_alloc_arg in thread_optee_smc.c).
  uint8_t* rpc_arg = nullptr;
  uint8_t* cached_rpc_arg = nullptr;
  uint64_t cached_rpc_cookie = 0;
};

class ThreadPool {
 public:
  ThreadPool(Partition& prtn, uint32_t count);
  // thread_handle_std_smc: RETURN_FROM_RPC resumes thread a3, anything else allocates a FREE
  // thread.
  void handle_std_smc(platform::SmcRegs& regs);
  // thread_rpc: from secure code, exit to the normal world with `rv` (a0..a2) and wait to be
  // resumed; returns the resume values a1, a2, a4, a5.
  std::array<uint64_t, 4> rpc(uint32_t a0, uint64_t a1 = 0, uint64_t a2 = 0);
  // The thread running on this CPU (nullptr outside secure code).
  static Thread* current();

  uint32_t count() const { return static_cast<uint32_t>(threads_.size()); }
  Partition& partition() { return prtn_; }
  // DISABLE_SHM_CACHE: takes one thread's cached RPC argument cookie (0 if none is left).
  uint64_t take_cached_rpc_arg();
  std::vector<ThreadState> states() const;
  bool all_free() const;

 private:
  void run(Thread& t);
  static void entry(void* arg);

  Partition& prtn_;
  mutable std::mutex lock_;  // thread_global_lock
  std::vector<std::unique_ptr<Thread>> threads_;
};

}  // namespace emu::optee_os
