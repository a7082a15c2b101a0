#include "emu/linux_tee/optee/call_queue.h"

#include <algorithm>

namespace emu::linux_tee::optee {

CallQueue::CallQueue(DriverGen gen, uint32_t total_threads)
    : gen_(gen), total_(gen == DriverGen::k6_8 ? total_threads : 0), free_(total_) {}

void CallQueue::push_back(Waiter* w) {
  w->prev = tail_;
  w->next = nullptr;
  (tail_ ? tail_->next : head_) = w;
  tail_ = w;
  w->queued = true;
}

void CallQueue::remove(Waiter* w) {
  if (!w->queued) return;
  (w->prev ? w->prev->next : head_) = w->next;
  (w->next ? w->next->prev : tail_) = w->prev;
  w->prev = w->next = nullptr;
  w->queued = false;
}

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
      push_back(&w);
      sleep(lk, w);
      remove(&w);
    }
    free_--;
    w.slot_taken = true;
  }
  // Queued so that a completion elsewhere can wake this call if it meets ETHREAD_LIMIT.
  w.completed = false;
  push_back(&w);
}

void CallQueue::wait_for_completion(Waiter& w) {
  ethread_limit_++;
  std::unique_lock lk(lock_);
  sleep(lk, w);
  // Back to the tail, ready for the next wake.
  remove(&w);
  w.completed = false;
  push_back(&w);
}

void CallQueue::complete_one() {
  // System-session waiters first, then the oldest normal one.
  auto pick = [this](bool sys) {
    for (Waiter* x = head_; x; x = x->next)
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
  remove(&w);
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

void CallQueue::sleep(std::unique_lock<std::mutex>& lk, Waiter& w) {
  sleeping_peak_ = std::max(sleeping_peak_, ++sleeping_);
  w.cv.wait(lk, [&w] { return w.completed; });
  --sleeping_;
}

size_t CallQueue::sleeping() const {
  std::lock_guard g(lock_);
  return sleeping_;
}

size_t CallQueue::sleeping_peak() const {
  std::lock_guard g(lock_);
  return sleeping_peak_;
}

size_t CallQueue::waiting() const {
  std::lock_guard g(lock_);
  size_t n = 0;
  for (Waiter* w = head_; w; w = w->next) n += !w->completed;
  return n;
}

}  // namespace emu::linux_tee::optee
