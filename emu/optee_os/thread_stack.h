// The private stack of one secure thread. A thread that issues an RPC is suspended on its own
// stack and keeps it until the std call ends; RETURN_FROM_RPC resumes it from whichever
// normal-world thread makes the call (optee_os core/arch/arm/kernel/thread.c keeps one stack per
// thread[] slot). Switches use Boost.Context fibers; they are annotated for ASan and TSan in
// sanitizer builds.
#pragma once

#include <boost/context/fiber.hpp>
#include <cstddef>

namespace emu::optee_os {

class ThreadStack {
 public:
  using Entry = void (*)(void* arg);

  ThreadStack();
  ~ThreadStack();
  ThreadStack(const ThreadStack&) = delete;
  ThreadStack& operator=(const ThreadStack&) = delete;

  // Normal-world side: starts `entry(arg)` on this stack; returns when it suspends or ends.
  void start(Entry entry, void* arg);
  // Normal-world side: continues a suspended stack; returns when it suspends again or ends.
  void resume();
  // Secure side: gives the CPU back to whoever started or resumed this stack.
  void suspend();
  bool finished() const { return finished_; }

 private:
  void switch_in();
  void enter_from(boost::context::fiber&& caller);

  void* stack_ = nullptr;  // mmap'ed, with a guard page at the bottom
  size_t stack_size_ = 0;
  boost::context::fiber fiber_;   // the secure context while it is not running
  boost::context::fiber caller_;  // the normal-world context while the secure one runs
  Entry entry_ = nullptr;
  void* arg_ = nullptr;
  bool finished_ = true;
  // Sanitizer bookkeeping (unused in plain builds).
  void* asan_fake_stack_ = nullptr;
  const void* caller_stack_bottom_ = nullptr;
  size_t caller_stack_size_ = 0;
  void* tsan_fiber_ = nullptr;
  void* tsan_caller_ = nullptr;
  // A stack still suspended when the pool is torn down is abandoned, not unwound: unwinding
  // would run secure code (and RPCs) with no normal world left to answer.
  alignas(boost::context::fiber) unsigned char abandoned_[sizeof(boost::context::fiber)];
};

}  // namespace emu::optee_os
