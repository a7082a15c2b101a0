#include "emu/optee_os/wait_queue.h"

#include "emu/abi/optee_msg.h"
#include "emu/optee_os/thread.h"
#include "emu/optee_os/thread_rpc.h"

namespace emu::optee_os {

void WaitQueue::wait(std::unique_lock<std::mutex>& lk) {
  const uint64_t key = kNotifSyncValueBase + ThreadPool::current()->id;
  waiters_.push_back(key);
  lk.unlock();
  // A SEND that reaches the driver before this WAIT is kept by the driver, so no wake is lost.
  thread_rpc_notification(abi::OPTEE_RPC_NOTIFICATION_WAIT, key);
  lk.lock();
}

std::vector<uint64_t> WaitQueue::take_waiters() {
  std::vector<uint64_t> out;
  out.swap(waiters_);
  return out;
}

void WaitQueue::wake(const std::vector<uint64_t>& keys) {
  for (uint64_t key : keys) thread_rpc_notification(abi::OPTEE_RPC_NOTIFICATION_SEND, key);
}

}  // namespace emu::optee_os
