#include "emu/platform/address_space.h"

#include <sys/mman.h>

#include <cerrno>
#include <mutex>

namespace emu::platform {

AddressSpace::~AddressSpace() {
  for (auto& [addr, m] : maps_) release(reinterpret_cast<void*>(addr), m);
}

void* AddressSpace::map(std::span<const paddr_t> pages, std::shared_ptr<void> backing, int* err) {
  if (pages.empty()) {
    *err = -EINVAL;
    return nullptr;
  }
  const size_t len = pages.size() * kPageSize;
  void* base = mmap(nullptr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) {
    *err = -ENOMEM;
    return nullptr;
  }
  auto* p = static_cast<uint8_t*>(base);
  // One host mapping per run of pages consecutive in the memfd (in a guest, consecutive IPAs need
  // not be consecutive machine pages).
  for (size_t i = 0; i < pages.size();) {
    size_t run = 1;
    while (i + run < pages.size() &&
           mem_.offset(pages[i + run]) == mem_.offset(pages[i]) + run * kPageSize)
      ++run;
    void* r = mmap(p + i * kPageSize, run * kPageSize, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_FIXED, mem_.memfd(), static_cast<off_t>(mem_.offset(pages[i])));
    if (r == MAP_FAILED) {
      munmap(base, len);
      *err = -ENOMEM;
      return nullptr;
    }
    i += run;
  }
  for (paddr_t pa : pages) mem_.get_page(pa);
  std::unique_lock g(lock_);
  maps_.emplace(reinterpret_cast<uintptr_t>(base),
                Mapping{len, std::vector<paddr_t>(pages.begin(), pages.end()), std::move(backing)});
  return base;
}

void* AddressSpace::map_anonymous(size_t len, int* err) {
  if (len == 0) {
    *err = -EINVAL;
    return nullptr;
  }
  std::vector<paddr_t> pages;
  for (size_t i = 0; i < (len + kPageSize - 1) / kPageSize; ++i) {
    auto pa = mem_.alloc_page();
    if (!pa) {
      for (auto p : pages) mem_.put_page(p);
      *err = -ENOMEM;
      return nullptr;
    }
    pages.push_back(*pa);
  }
  void* addr = map(pages, nullptr, err);
  // The mapping now holds each page; drop the allocation's own reference.
  for (auto p : pages) mem_.put_page(p);
  return addr;
}

void AddressSpace::release(void* addr, Mapping& m) {
  munmap(addr, m.len);
  for (paddr_t pa : m.pages) mem_.put_page(pa);
  m.backing.reset();
}

int AddressSpace::unmap(void* addr, size_t len) {
  Mapping m;
  {
    std::unique_lock g(lock_);
    auto it = maps_.find(reinterpret_cast<uintptr_t>(addr));
    if (it == maps_.end() || (len + kPageSize - 1) / kPageSize * kPageSize != it->second.len)
      return -EINVAL;
    m = std::move(it->second);
    maps_.erase(it);
  }
  // Dropping the backing may release a shm object: do it outside the lock.
  release(addr, m);
  return 0;
}

void AddressSpace::unmap_all() {
  std::map<uintptr_t, Mapping> maps;
  {
    std::unique_lock g(lock_);
    maps.swap(maps_);
  }
  for (auto& [addr, m] : maps) release(reinterpret_cast<void*>(addr), m);
}

const AddressSpace::Mapping* AddressSpace::find(uintptr_t addr, uintptr_t* start) const {
  auto it = maps_.upper_bound(addr);
  if (it == maps_.begin()) return nullptr;
  --it;
  if (addr - it->first >= it->second.len) return nullptr;
  *start = it->first;
  return &it->second;
}

int AddressSpace::pin(uintptr_t addr, size_t len, std::vector<paddr_t>* pages) const {
  pages->clear();
  if (len == 0 || addr + len < addr) return -EFAULT;
  std::shared_lock g(lock_);
  const uintptr_t first = addr & ~(kPageSize - 1);
  for (uintptr_t a = first; a < addr + len; a += kPageSize) {
    uintptr_t start = 0;
    const Mapping* m = find(a, &start);
    if (!m) {
      pages->clear();
      return -EFAULT;
    }
    pages->push_back(m->pages[(a - start) / kPageSize]);
  }
  for (paddr_t pa : *pages) mem_.get_page(pa);
  return 0;
}

bool AddressSpace::contains(uintptr_t addr, size_t len) const {
  if (addr + len < addr) return false;
  std::shared_lock g(lock_);
  uintptr_t a = addr;
  while (a < addr + len) {
    uintptr_t start = 0;
    const Mapping* m = find(a, &start);
    if (!m) return false;
    a = start + m->len;
  }
  return true;
}

size_t AddressSpace::mapping_count() const {
  std::shared_lock g(lock_);
  return maps_.size();
}

}  // namespace emu::platform
