#include "emu/optee_os/shm_vaspace.h"

#include <sys/mman.h>

#include <new>

namespace emu::optee_os {

using platform::kPageSize;

ShmVaSpace::ShmVaSpace(platform::PhysMem& mem, size_t size) : mem_(mem), pages_(size / kPageSize) {
  void* p = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  base_ = static_cast<uint8_t*>(p);
  free_.emplace(0, pages_);
}

ShmVaSpace::~ShmVaSpace() { munmap(base_, pages_ * kPageSize); }

uint8_t* ShmVaSpace::map(const std::vector<platform::paddr_t>& pages, Mapping* out) {
  const size_t n = pages.size();
  size_t first = 0;
  {
    std::lock_guard g(lock_);
    auto it = free_.begin();
    while (it != free_.end() && it->second < n) ++it;
    if (it == free_.end()) return nullptr;
    first = it->first;
    const size_t left = it->second - n;
    free_.erase(it);
    if (left) free_.emplace(first + n, left);
    used_ += n;
  }
  *out = Mapping{first, n, false};
  bool contiguous = true;
  for (size_t i = 1; i < n && contiguous; ++i) contiguous = pages[i] == pages[0] + i * kPageSize;
  // Physically contiguous memory is already visible through the linear map; the window range is
  // still taken, so the 32 MiB limit applies exactly as it does on the real OS.
  if (contiguous) return mem_.va(pages[0]);
  uint8_t* va = base_ + first * kPageSize;
  for (size_t i = 0; i < n;) {
    size_t run = 1;
    while (i + run < n && pages[i + run] == pages[i] + run * kPageSize) ++run;
    mmap(va + i * kPageSize, run * kPageSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
         mem_.memfd(), static_cast<off_t>(mem_.offset(pages[i])));
    i += run;
  }
  out->remapped = true;
  return va;
}

void ShmVaSpace::unmap(const Mapping& m) {
  if (m.remapped)
    mmap(base_ + m.first_page * kPageSize, m.pages * kPageSize, PROT_NONE,
         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
  std::lock_guard g(lock_);
  used_ -= m.pages;
  auto next = free_.lower_bound(m.first_page);
  size_t first = m.first_page;
  size_t count = m.pages;
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == first) {
      first = prev->first;
      count += prev->second;
      free_.erase(prev);
    }
  }
  if (next != free_.end() && first + count == next->first) {
    count += next->second;
    free_.erase(next);
  }
  free_.emplace(first, count);
}

size_t ShmVaSpace::used_pages() const {
  std::lock_guard g(lock_);
  return used_;
}

}  // namespace emu::optee_os
