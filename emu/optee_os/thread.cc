#include "emu/optee_os/thread.h"

#include "emu/abi/optee_smc.h"
#include "emu/optee_os/optee_os.h"
#include "emu/platform/counter.h"

namespace emu::optee_os {
namespace {

thread_local Thread* tls_current = nullptr;

}  // namespace

const char* to_string(ThreadState s) {
  switch (s) {
    case ThreadState::kFree:
      return "FREE";
    case ThreadState::kActive:
      return "ACTIVE";
    case ThreadState::kSuspended:
      return "SUSPENDED";
  }
  return "?";
}

ThreadPool::ThreadPool(Partition& prtn, uint32_t count) : prtn_(prtn) {
  for (uint32_t i = 0; i < count; ++i) {
    threads_.push_back(std::make_unique<Thread>());
    threads_.back()->id = i;
    threads_.back()->pool = this;
  }
}

// Kept out of line: secure code may migrate between host threads at a suspend, so the TLS slot
// must be re-read after every switch rather than cached by the compiler.
__attribute__((noinline)) Thread* ThreadPool::current() { return tls_current; }

void ThreadPool::entry(void* arg) {
  auto* t = static_cast<Thread*>(arg);
  t->pool->prtn_.os().std_entry(t->pool->prtn_, t->regs);
}

void ThreadPool::handle_std_smc(platform::SmcRegs& regs) {
  using namespace emu::abi;
  Thread* t = nullptr;
  const bool resume = static_cast<uint32_t>(regs.a[0]) == OPTEE_SMC_CALL_RETURN_FROM_RPC;
  {
    std::lock_guard g(lock_);
    if (resume) {
      const uint64_t id = regs.a[3];
      if (id < threads_.size() && threads_[id]->state == ThreadState::kSuspended) {
        t = threads_[id].get();
        t->state = ThreadState::kActive;
      }
    } else {
      for (auto& th : threads_) {
        if (th->state == ThreadState::kFree) {
          t = th.get();
          t->state = ThreadState::kActive;
          break;
        }
      }
    }
  }
  if (!t) {
    // ETHREAD_LIMIT preserves a1-a7 so the normal world can simply retry the same call.
    regs.a[0] = resume ? OPTEE_SMC_RETURN_ERESUME : OPTEE_SMC_RETURN_ETHREAD_LIMIT;
    return;
  }
  Thread* prev = tls_current;
  tls_current = t;
  t->exiting_for_rpc = false;
  t->entered_ns = emu::platform::counter_ns();
  if (resume) {
    t->rpc_rv = {regs.a[1], regs.a[2], regs.a[4], regs.a[5]};
    t->stack.resume();
  } else {
    t->regs = regs;
    t->stack.start(&ThreadPool::entry, t);
  }
  tls_current = prev;
  regs = t->regs;
  std::lock_guard g(lock_);
  t->state = t->exiting_for_rpc ? ThreadState::kSuspended : ThreadState::kFree;
}

std::array<uint64_t, 4> ThreadPool::rpc(uint32_t a0, uint64_t a1, uint64_t a2) {
  Thread* t = current();
  // The thread index in a3 (and a4-a7 kept) is what RETURN_FROM_RPC must echo back.
  t->regs.a = {a0, a1, a2, t->id, 0, 0, 0, t->regs.a[7]};
  t->exiting_for_rpc = true;
  t->stack.suspend();
  return t->rpc_rv;
}

std::vector<ThreadState> ThreadPool::states() const {
  std::lock_guard g(lock_);
  std::vector<ThreadState> out;
  for (const auto& t : threads_) out.push_back(t->state);
  return out;
}

uint64_t ThreadPool::take_cached_rpc_arg() {
  std::lock_guard g(lock_);
  for (auto& t : threads_) {
    if (t->cached_rpc_cookie) {
      const uint64_t ck = t->cached_rpc_cookie;
      t->cached_rpc_cookie = 0;
      t->cached_rpc_arg = nullptr;
      return ck;
    }
  }
  return 0;
}

bool ThreadPool::all_free() const {
  std::lock_guard g(lock_);
  for (const auto& t : threads_)
    if (t->state != ThreadState::kFree) return false;
  return true;
}

}  // namespace emu::optee_os
