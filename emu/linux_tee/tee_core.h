// The TEE core (Linux drivers/tee/tee_core.c, tee_shm.c): the character devices /dev/teeN and
// /dev/teeprivN, their ioctls with every validation and errno of reference §1.3-1.4, shm ids and
// lifetimes. Drivers plug in through TeeDriver.
#pragma once

#include <cerrno>

#include <atomic>
#include <map>
#include <mutex>

#include "emu/linux_tee/process.h"
#include "emu/linux_tee/tee_drv.h"

namespace emu::linux_tee {

class TeeDevice {
 public:
  TeeDevice(std::string name, TeeDriver& driver, bool privileged, platform::Memory& mem);
  const std::string& name() const { return name_; }
  TeeDriver& driver() { return driver_; }
  bool privileged() const { return privileged_; }
  // The errno of TEE_IOC_SHM_REGISTER with length 0: -ENOMEM from the iov_iter pinning code
  // (reference §1.4), -EINVAL from Linux 6.1 (seen on the real stack under the qemu target,
  // docs/targets.md). Follows the driver generation.
  void set_empty_register_errno(int err) { empty_register_errno_ = err; }

  // open(2) of the device node: a new context in `p`'s fd table. Returns fd or -errno.
  int open(Process& p);
  // A context for in-kernel users (the driver's own, tee_client_open_context).
  TeeContext* open_kernel_context();

  // tee_shm helpers (tee_shm.c).
  TeeShm* shm_alloc(TeeContext* ctx, size_t size, uint32_t flags, int* err);
  TeeShm* shm_register_user(TeeContext* ctx, uintptr_t addr, size_t len, int* err);
  TeeShm* shm_get_from_id(TeeContext* ctx, int id);  // +1 ref, or nullptr
  void shm_put(TeeShm* shm);
  size_t shm_count() const;
  // Contexts opened on this device and not yet released (kernel ones included): one a process
  // closed that stays here is held by a reference it should not have (reference: ctx-pinned).
  size_t contexts_live() const { return contexts_live_.load(std::memory_order_relaxed); }
  // Debug view (as debugfs would give): the object behind a user-visible id, no reference taken.
  TeeShm* shm_find(int id) const;

 private:
  int assign_id(TeeShm* shm);
  void shm_release(TeeShm* shm);

  std::string name_;
  int empty_register_errno_ = -ENOMEM;
  TeeDriver& driver_;
  bool privileged_;
  platform::Memory& mem_;
  mutable std::mutex idr_lock_;
  std::map<int, TeeShm*> idr_;  // ids from 1
  std::atomic<size_t> contexts_live_{0};
  friend void teedev_ctx_put(TeeContext* ctx);
};

void teedev_ctx_get(TeeContext* ctx);
void teedev_ctx_put(TeeContext* ctx);

}  // namespace emu::linux_tee
