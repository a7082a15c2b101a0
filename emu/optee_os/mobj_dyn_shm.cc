#include "emu/optee_os/mobj_dyn_shm.h"

#include <sys/mman.h>

#include <new>

#include "emu/abi/optee_msg.h"

namespace emu::optee_os {

using abi::kTeeErrorBadParameters;
using abi::kTeeErrorOutOfMemory;
using abi::kTeeSuccess;

RegShmMobj::RegShmMobj(uint64_t cookie, std::vector<platform::paddr_t> pages, size_t page_offset,
                       size_t size, platform::PhysMem& mem, ShmVaSpace& vas,
                       const platform::CostModel& cost)
    : Mobj(size),
      cookie_(cookie),
      pages_(std::move(pages)),
      page_offset_(page_offset),
      mem_(mem),
      vas_(vas),
      cost_(cost) {
  // The host view of the pages, made once: contiguous memory is in the linear map already.
  bool contiguous = true;
  for (size_t i = 1; i < pages_.size() && contiguous; ++i)
    contiguous = pages_[i] == pages_[0] + i * platform::kPageSize;
  if (contiguous) {
    base_ = mem_.va(pages_[0]);
    return;
  }
  host_len_ = pages_.size() * platform::kPageSize;
  void* p = mmap(nullptr, host_len_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  base_ = static_cast<uint8_t*>(p);
  for (size_t i = 0; i < pages_.size();) {
    size_t run = 1;
    while (i + run < pages_.size() && pages_[i + run] == pages_[i] + run * platform::kPageSize)
      ++run;
    mmap(base_ + i * platform::kPageSize, run * platform::kPageSize, PROT_READ | PROT_WRITE,
         MAP_SHARED | MAP_FIXED, mem_.memfd(), static_cast<off_t>(mem_.offset(pages_[i])));
    i += run;
  }
}

RegShmMobj::~RegShmMobj() {
  if (map_count_) vas_.unmap(mapping_);
  if (host_len_) munmap(base_, host_len_);
}

uint32_t RegShmMobj::inc_map() {
  std::lock_guard g(map_lock_);
  if (map_count_++ > 0) return kTeeSuccess;
  // First user maps every page into the window; this per-call cost grows with the buffer.
  if (!vas_.map(pages_.size(), &mapping_)) {
    map_count_ = 0;
    return kTeeErrorOutOfMemory;
  }
  cost_.charge(platform::Cost::kMapPage, pages_.size());
  return kTeeSuccess;
}

void RegShmMobj::dec_map() {
  std::lock_guard g(map_lock_);
  if (--map_count_ > 0) return;
  if (map_leak_defect_) return;  // the mapping is forgotten, never unmapped (docs/defects.md)
  vas_.unmap(mapping_);
  cost_.charge(platform::Cost::kUnmapPage, pages_.size());
}

RegShmRegistry::RegShmRegistry(platform::PhysMem& mem, ShmVaSpace& vas,
                               const platform::CostModel& cost, size_t heap_size,
                               bool map_leak_defect)
    : mem_(mem), vas_(vas), cost_(cost), heap_size_(heap_size), map_leak_defect_(map_leak_defect) {}

// The mobj with its page array plus the temporary paddr_t array msg_param builds (reference §5.4).
size_t RegShmRegistry::heap_cost(size_t pages) { return 64 + 2 * sizeof(uint64_t) * pages; }

bool RegShmRegistry::heap_take(size_t bytes) {
  if (heap_used_ + bytes > heap_size_) return false;
  heap_used_ += bytes;
  return true;
}

void RegShmRegistry::heap_give(size_t bytes) { heap_used_ -= bytes; }

uint32_t RegShmRegistry::register_shm(uint64_t cookie, std::vector<platform::paddr_t> pages,
                                      size_t page_offset, size_t size) {
  const size_t cost = heap_cost(pages.size());
  // Built outside the lock: making the host view of a large buffer takes a while.
  auto m =
      std::make_shared<RegShmMobj>(cookie, std::move(pages), page_offset, size, mem_, vas_, cost_);
  m->map_leak_defect_ = map_leak_defect_;
  std::lock_guard g(lock_);
  if (by_cookie_.count(cookie)) return kTeeErrorBadParameters;
  if (!heap_take(cost)) return kTeeErrorOutOfMemory;
  by_cookie_.emplace(cookie, std::move(m));
  return kTeeSuccess;
}

std::shared_ptr<RegShmMobj> RegShmRegistry::get(uint64_t cookie) {
  std::lock_guard g(lock_);
  auto it = by_cookie_.find(cookie);
  if (it == by_cookie_.end() || it->second->releasing_) return nullptr;
  it->second->users_++;
  return it->second;
}

void RegShmRegistry::put(const std::shared_ptr<RegShmMobj>& m) {
  std::vector<uint64_t> keys;
  {
    std::lock_guard g(lock_);
    if (--m->users_ == 0 && m->releasing_) keys = released_.take_waiters();
  }
  WaitQueue::wake(keys);
}

uint32_t RegShmRegistry::release(uint64_t cookie) {
  std::unique_lock lk(lock_);
  auto it = by_cookie_.find(cookie);
  if (it == by_cookie_.end() || it->second->releasing_) return kTeeErrorBadParameters;
  std::shared_ptr<RegShmMobj> m = it->second;
  m->releasing_ = true;
  // Still used by a call in flight: this thread waits, suspended, until the last user is done.
  while (m->users_ > 0) released_.wait(lk);
  heap_give(heap_cost(m->pages_.size()));
  by_cookie_.erase(cookie);
  return kTeeSuccess;
}

std::shared_ptr<RegShmMobj> RegShmRegistry::make_temporary(std::vector<platform::paddr_t> pages,
                                                           size_t page_offset, size_t size,
                                                           uint32_t* res) {
  std::lock_guard g(lock_);
  if (!heap_take(heap_cost(pages.size()))) {
    *res = kTeeErrorOutOfMemory;
    return nullptr;
  }
  *res = kTeeSuccess;
  auto m = std::make_shared<RegShmMobj>(0, std::move(pages), page_offset, size, mem_, vas_, cost_);
  m->map_leak_defect_ = map_leak_defect_;
  return m;
}

void RegShmRegistry::drop_temporary(const std::shared_ptr<RegShmMobj>& m) {
  std::lock_guard g(lock_);
  heap_give(heap_cost(m->pages_.size()));
}

size_t RegShmRegistry::count() const {
  std::lock_guard g(lock_);
  return by_cookie_.size();
}

size_t RegShmRegistry::heap_used() const {
  std::lock_guard g(lock_);
  return heap_used_;
}

}  // namespace emu::optee_os
