// Shared-memory pools of the OP-TEE driver (Linux drivers/tee/tee_shm_pool.c, optee smc_abi.c):
// the static carve-out as a gen_pool of 512-byte granules, or pages from the kernel allocator that
// are registered with OP-TEE (dynamic shared memory).
#pragma once

#include <functional>
#include <mutex>
#include <vector>

#include "emu/linux_tee/tee_drv.h"

namespace emu::linux_tee {

// gen_pool over [base, base+size) with 2^9-byte granules (OPTEE_MIN_STATIC_POOL_ALIGN), first fit.
class StaticShmPool final : public TeeShmPool {
 public:
  StaticShmPool(platform::Memory& mem, platform::paddr_t base, size_t size);
  int alloc(TeeShm* shm, size_t size, size_t align) override;
  void free(TeeShm* shm) override;
  bool is_static() const override { return true; }
  size_t free_bytes() const;

 private:
  static constexpr unsigned kOrder = 9;
  platform::Memory& mem_;
  platform::paddr_t base_;
  mutable std::mutex lock_;
  std::vector<bool> used_;  // one bit per granule
};

// Kernel pages; buffers that are not driver-private are registered with the secure world.
class DynamicShmPool final : public TeeShmPool {
 public:
  using RegisterFn = std::function<int(TeeShm*)>;
  DynamicShmPool(platform::Memory& mem, RegisterFn reg, RegisterFn unreg)
      : mem_(mem), register_(std::move(reg)), unregister_(std::move(unreg)) {}
  int alloc(TeeShm* shm, size_t size, size_t align) override;
  void free(TeeShm* shm) override;
  bool is_static() const override { return false; }

 private:
  platform::Memory& mem_;
  RegisterFn register_;
  RegisterFn unregister_;
};

}  // namespace emu::linux_tee
