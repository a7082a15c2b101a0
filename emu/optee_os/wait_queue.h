// Secure-world waiting (optee_os core/kernel/wait_queue.c, notif.c): a waiting thread stays
// SUSPENDED in a NOTIFICATION WAIT RPC keyed by its thread id, and the waker sends NOTIFICATION
// SEND for that key. Waiting therefore costs a secure thread and a normal-world sleeper, as it does
// on the real system.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

namespace emu::optee_os {

class WaitQueue {
 public:
  // Call with `lk` held. Releases it across the RPC and re-takes it before returning.
  void wait(std::unique_lock<std::mutex>& lk);
  // Call with the lock held: removes and returns every waiter's key.
  std::vector<uint64_t> take_waiters();
  // Call without any host lock held, from a secure thread: wakes the given keys.
  static void wake(const std::vector<uint64_t>& keys);
  bool empty() const { return waiters_.empty(); }

 private:
  std::vector<uint64_t> waiters_;
};

// Keys below this are asynchronous notification values (NOTIF_SYNC_VALUE_BASE in optee_os).
inline constexpr uint64_t kNotifSyncValueBase = 256;

}  // namespace emu::optee_os
