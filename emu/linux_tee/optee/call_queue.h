// The call queue: how the OP-TEE driver waits when the secure world is out of threads
// (Linux drivers/tee/optee/call.c, optee_cq_*). Two generations, selectable:
//  - pre-6.8: no thread counting. A call meets ETHREAD_LIMIT, sleeps, and is woken when some other
//    call completes (one wake per completion).
//  - 6.8+ (system-thread tracking): GET_THREAD_COUNT gives the total; a call takes a free slot
//    before entering, keeping one back for system sessions once one is registered.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace emu::linux_tee::optee {

enum class DriverGen { kPre6_8, k6_8 };

class CallQueue {
 public:
  struct Waiter {
    std::condition_variable cv;
    bool completed = false;
    bool sys_thread = false;
    bool slot_taken = false;
    // Intrusive list links (the kernel's list_head): queueing allocates nothing.
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
    bool queued = false;
  };

  CallQueue(DriverGen gen, uint32_t total_threads);
  // optee_cq_wait_init: before the first SMC of a call.
  void wait_init(Waiter& w, bool sys_thread);
  // optee_cq_wait_for_completion: after an ETHREAD_LIMIT return.
  void wait_for_completion(Waiter& w);
  // optee_cq_wait_final: when the call is done.
  void wait_final(Waiter& w);
  // optee_cq_incr/decr_sys_thread_count.
  void incr_sys_thread_count();
  void decr_sys_thread_count();

  DriverGen gen() const { return gen_; }
  uint32_t total_thread_count() const { return total_; }
  // Evidence of queueing, for tests and the stress suite.
  uint64_t ethread_limit_count() const { return ethread_limit_.load(); }
  uint64_t accounted_waits() const { return accounted_waits_.load(); }
  size_t waiting() const;
  // Callers asleep in the driver right now, waiting for a secure thread (the queue's real depth),
  // and the most there have been at once: exact, kept as they fall asleep, not sampled.
  size_t sleeping() const;
  size_t sleeping_peak() const;

 private:
  void complete_one();  // with lock_ held
  void push_back(Waiter* w);
  void remove(Waiter* w);

  const DriverGen gen_;
  const uint32_t total_;
  mutable std::mutex lock_;
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
  uint32_t free_;
  uint32_t sys_thread_req_ = 0;
  std::atomic<uint64_t> ethread_limit_{0};
  std::atomic<uint64_t> accounted_waits_{0};
  size_t sleeping_ = 0, sleeping_peak_ = 0;  // with lock_ held
  // Waits on `w` with lock_ held in `lk`, counting the sleeper.
  void sleep(std::unique_lock<std::mutex>& lk, Waiter& w);
};

}  // namespace emu::linux_tee::optee
