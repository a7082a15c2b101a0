#include "emu/linux_tee/optee/call_queue.h"

#include <algorithm>

namespace emu::linux_tee::optee {

CallQueue::CallQueue(DriverGen gen, uint32_t total_threads)
    : gen_(gen), total_(gen == DriverGen::k6_8 ? total_threads : 0), free_(total_) {}

void CallQueue::wait_init(Waiter& w, bool sys_thread) {
  std::unique_lock lk(lock_);
  w.sys_thread = sys_thread;
  if (total_ != 0) {
    // One thread is held back for system sessions once any is registered.
    const uint32_t threshold = (sys_thread || sys_thread_req_ == 0) ? 0 : 1;
    bool counted = false;
    while (free_ <= threshold) {
      if (!counted) accounted_waits_++;
      counted = true;
      w.completed = false;
      waiters_.push_back(&w);
      w.cv.wait(lk, [&w] { return w.completed; });
      waiters_.remove(&w);
    }
    free_--;
    w.slot_taken = true;
  }
  // Queued so that a completion elsewhere can wake this call if it meets ETHREAD_LIMIT.
  w.completed = false;
  waiters_.push_back(&w);
}

void CallQueue::wait_for_completion(Waiter& w) {
  ethread_limit_++;
  std::unique_lock lk(lock_);
  w.cv.wait(lk, [&w] { return w.completed; });
  // Back to the tail, ready for the next wake.
  waiters_.remove(&w);
  w.completed = false;
  waiters_.push_back(&w);
}

void CallQueue::complete_one() {
  // System-session waiters first, then the oldest normal one.
  auto pick = [this](bool sys) {
    for (Waiter* x : waiters_)
      if (!x->completed && x->sys_thread == sys) return x;
    return static_cast<Waiter*>(nullptr);
  };
  Waiter* x = pick(true);
  if (!x) x = pick(false);
  if (!x) return;
  x->completed = true;
  x->cv.notify_one();
}

void CallQueue::wait_final(Waiter& w) {
  std::lock_guard g(lock_);
  waiters_.remove(&w);
  if (w.slot_taken) free_++;
  complete_one();
  // A wake this call received but did not consume is passed on.
  if (w.completed) complete_one();
}

void CallQueue::incr_sys_thread_count() {
  std::lock_guard g(lock_);
  sys_thread_req_++;
}

void CallQueue::decr_sys_thread_count() {
  std::lock_guard g(lock_);
  sys_thread_req_--;
  complete_one();
}

size_t CallQueue::waiting() const {
  std::lock_guard g(lock_);
  return static_cast<size_t>(
      std::count_if(waiters_.begin(), waiters_.end(), [](Waiter* w) { return !w->completed; }));
}

}  // namespace emu::linux_tee::optee
