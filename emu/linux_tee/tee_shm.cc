// Shared memory objects (Linux drivers/tee/tee_shm.c): pool allocations and registered user
// memory, ids from 1 per device, refcounts, and the anon-inode "tee_shm" file user space holds.
#include <cerrno>

#include "emu/linux_tee/tee_core.h"

namespace emu::linux_tee {

int TeeDevice::assign_id(TeeShm* shm) {
  std::lock_guard g(idr_lock_);
  int id = 1;
  for (const auto& [used, s] : idr_) {
    if (used != id) break;
    ++id;
  }
  idr_.emplace(id, shm);
  shm->id = id;
  return id;
}

TeeShm* TeeDevice::shm_alloc(TeeContext* ctx, size_t size, uint32_t flags, int* err) {
  auto* shm = new TeeShm;
  shm->ctx = ctx;
  shm->flags = flags;
  // User allocations get an id; driver-private and kernel buffers do not.
  const bool user = !(flags & TEE_SHM_PRIV) && ctx->process != nullptr;
  if (user) assign_id(shm);
  *err = driver_.pool().alloc(shm, size, platform::kPageSize);
  if (*err) {
    if (user) {
      std::lock_guard g(idr_lock_);
      idr_.erase(shm->id);
    }
    delete shm;
    return nullptr;
  }
  teedev_ctx_get(ctx);
  return shm;
}

TeeShm* TeeDevice::shm_register_user(TeeContext* ctx, uintptr_t addr, size_t len, int* err) {
  if (len == 0) {
    *err = empty_register_errno_;
    return nullptr;
  }
  auto* shm = new TeeShm;
  shm->ctx = ctx;
  shm->flags = TEE_SHM_DYNAMIC | TEE_SHM_USER_MAPPED;
  shm->size = len;
  shm->offset = addr & (platform::kPageSize - 1);
  // pin_user_pages: every page must be mapped memory of the calling process.
  *err = ctx->process->mm().pin(addr, len, &shm->pages);
  if (*err) {
    delete shm;
    return nullptr;
  }
  assign_id(shm);
  teedev_ctx_get(ctx);
  *err = driver_.shm_register(ctx, shm);
  if (*err) {
    shm_release(shm);
    return nullptr;
  }
  return shm;
}

TeeShm* TeeDevice::shm_get_from_id(TeeContext* ctx, int id) {
  std::lock_guard g(idr_lock_);
  auto it = idr_.find(id);
  if (it == idr_.end() || it->second->ctx != ctx) return nullptr;
  it->second->refcount.fetch_add(1, std::memory_order_relaxed);
  return it->second;
}

void TeeDevice::shm_put(TeeShm* shm) {
  // The id must disappear before the last reference so a lookup cannot revive a dying object.
  {
    std::lock_guard g(idr_lock_);
    if (shm->refcount.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    if (shm->id >= 1) idr_.erase(shm->id);
  }
  shm_release(shm);
}

void TeeDevice::shm_release(TeeShm* shm) {
  TeeContext* ctx = shm->ctx;
  if (shm->flags & TEE_SHM_POOL) {
    driver_.pool().free(shm);
  } else {
    {
      // Only our own entry: shm_put already removed it, and the id may belong to a new object.
      std::lock_guard g(idr_lock_);
      auto it = idr_.find(shm->id);
      if (it != idr_.end() && it->second == shm) idr_.erase(it);
    }
    if (shm->sec_world_id) driver_.shm_unregister(ctx, shm);
    for (platform::paddr_t pa : shm->pages) mem_.put_page(pa);
  }
  delete shm;
  teedev_ctx_put(ctx);
}

TeeShm* TeeDevice::shm_find(int id) const {
  std::lock_guard g(idr_lock_);
  auto it = idr_.find(id);
  return it == idr_.end() ? nullptr : it->second;
}

size_t TeeDevice::shm_count() const {
  std::lock_guard g(idr_lock_);
  return idr_.size();
}

}  // namespace emu::linux_tee
