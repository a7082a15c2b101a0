#include "emu/linux_tee/tee_shm_pool.h"

#include <cerrno>
#include <cstring>

namespace emu::linux_tee {

using platform::kPageSize;

StaticShmPool::StaticShmPool(platform::Memory& mem, platform::paddr_t base, size_t size)
    : mem_(mem), base_(base), used_(size >> kOrder, false) {}

int StaticShmPool::alloc(TeeShm* shm, size_t size, size_t align) {
  const size_t granule = size_t{1} << kOrder;
  if (size == 0 || size > used_.size() * granule) return -ENOMEM;
  const size_t n = (size + granule - 1) / granule;
  const size_t step = align > granule ? align / granule : 1;
  std::lock_guard g(lock_);
  for (size_t first = 0; first + n <= used_.size(); first += step) {
    size_t i = 0;
    while (i < n && !used_[first + i]) ++i;
    if (i < n) continue;
    for (i = 0; i < n; ++i) used_[first + i] = true;
    // Carve-out memory is never registered: memrefs to it travel by physical address.
    shm->flags &= ~TEE_SHM_DYNAMIC;
    shm->paddr = base_ + first * granule;
    shm->size = n * granule;
    shm->kaddr = mem_.va(shm->paddr);
    std::memset(shm->kaddr, 0, shm->size);
    shm->offset = shm->paddr & (kPageSize - 1);
    shm->pages.clear();
    for (platform::paddr_t pa = shm->paddr & ~(kPageSize - 1); pa < shm->paddr + shm->size;
         pa += kPageSize)
      shm->pages.push_back(pa);
    return 0;
  }
  return -ENOMEM;
}

void StaticShmPool::free(TeeShm* shm) {
  const size_t granule = size_t{1} << kOrder;
  std::lock_guard g(lock_);
  const size_t first = (shm->paddr - base_) / granule;
  for (size_t i = 0; i < shm->size / granule; ++i) used_[first + i] = false;
}

size_t StaticShmPool::free_bytes() const {
  std::lock_guard g(lock_);
  size_t n = 0;
  for (bool u : used_) n += !u;
  return n << kOrder;
}

int DynamicShmPool::alloc(TeeShm* shm, size_t size, size_t) {
  if (size == 0) return -ENOMEM;
  const size_t n = (size + kPageSize - 1) / kPageSize;
  shm->pages.clear();
  for (size_t i = 0; i < n; ++i) {
    auto pa = mem_.alloc_page();
    if (!pa) {
      for (platform::paddr_t p : shm->pages) mem_.put_page(p);
      shm->pages.clear();
      return -ENOMEM;
    }
    shm->pages.push_back(*pa);
  }
  shm->size = n * kPageSize;
  shm->offset = 0;
  shm->paddr = shm->pages[0];
  // The linear map covers a buffer only when its pages happen to be consecutive.
  bool contiguous = true;
  for (size_t i = 1; i < n && contiguous; ++i)
    contiguous = shm->pages[i] == shm->pages[0] + i * kPageSize;
  shm->kaddr = contiguous ? mem_.va(shm->pages[0]) : nullptr;
  if (!(shm->flags & TEE_SHM_PRIV)) {
    if (int rc = register_(shm)) {
      for (platform::paddr_t p : shm->pages) mem_.put_page(p);
      shm->pages.clear();
      return rc;
    }
  }
  return 0;
}

void DynamicShmPool::free(TeeShm* shm) {
  if (shm->sec_world_id) unregister_(shm);
  for (platform::paddr_t p : shm->pages) mem_.put_page(p);
  shm->pages.clear();
}

}  // namespace emu::linux_tee
