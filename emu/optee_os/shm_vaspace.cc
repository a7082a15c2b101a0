#include "emu/optee_os/shm_vaspace.h"

#include "emu/platform/phys_mem.h"

namespace emu::optee_os {

ShmVaSpace::ShmVaSpace(size_t size) : pages_(size / platform::kPageSize) {
  free_.emplace(0, pages_);
}

bool ShmVaSpace::map(size_t n, Mapping* out) {
  std::lock_guard g(lock_);
  auto it = free_.begin();
  while (it != free_.end() && it->second < n) ++it;
  if (it == free_.end()) return false;
  const size_t first = it->first;
  const size_t left = it->second - n;
  free_.erase(it);
  if (left) free_.emplace(first + n, left);
  used_ += n;
  *out = Mapping{first, n};
  return true;
}

void ShmVaSpace::unmap(const Mapping& m) {
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
