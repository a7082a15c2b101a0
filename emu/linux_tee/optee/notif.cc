// Synchronous notifications (Linux drivers/tee/optee/notif.c): a secure thread waiting on a key
// sleeps in the normal world until another thread sends that key. A send that arrives first is
// kept, so the order of WAIT and SEND between two CPUs does not lose a wake-up.
#include "emu/linux_tee/optee/optee_private.h"

namespace emu::linux_tee::optee {

int Optee::notif_wait(uint64_t key) {
  std::unique_lock lk(notif_lock_);
  notif_cv_.wait(lk, [&] { return notif_pending_[key] > 0; });
  if (--notif_pending_[key] == 0) notif_pending_.erase(key);
  return 0;
}

int Optee::notif_send(uint64_t key) {
  {
    std::lock_guard g(notif_lock_);
    notif_pending_[key]++;
  }
  notif_cv_.notify_all();
  return 0;
}

}  // namespace emu::linux_tee::optee
