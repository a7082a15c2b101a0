#include "emu/platform/phys_mem.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

namespace emu::platform {
namespace {
constexpr size_t kShuffleRun = 16;
}  // namespace

PhysMem::PhysMem(const PhysMemLayout& layout) : layout_(layout) {
  if (layout.ns_ddr_size % kPageSize || layout.carveout_size % kPageSize || layout.base % kPageSize)
    throw std::invalid_argument("physical memory layout must be page aligned");
  memfd_ = memfd_create("teebench-phys", MFD_CLOEXEC);
  if (memfd_ < 0) throw std::runtime_error(std::string("memfd_create: ") + strerror(errno));
  // Sparse: only touched pages take host memory.
  if (ftruncate(memfd_, static_cast<off_t>(size())) != 0) {
    close(memfd_);
    throw std::runtime_error(std::string("ftruncate physical memory: ") + strerror(errno));
  }
  void* p = mmap(nullptr, size(), PROT_READ | PROT_WRITE, MAP_SHARED, memfd_, 0);
  if (p == MAP_FAILED) {
    close(memfd_);
    throw std::runtime_error(std::string("mmap physical memory: ") + strerror(errno));
  }
  linear_ = static_cast<uint8_t*>(p);

  const size_t n = ns_page_count();
  refs_ = std::make_unique<std::atomic<uint32_t>[]>(n);
  free_pfns_.resize(n);
  // Shuffle runs of kShuffleRun pages: buffers come out non-contiguous (every page list has gaps)
  // while a large buffer still maps with few host VMAs (vm.max_map_count is 65530 by default).
  std::vector<uint32_t> runs((n + kShuffleRun - 1) / kShuffleRun);
  for (size_t r = 0; r < runs.size(); ++r) runs[r] = static_cast<uint32_t>(r);
  std::mt19937_64 rng(layout.shuffle_seed);
  std::shuffle(runs.begin(), runs.end(), rng);
  free_pfns_.clear();
  // alloc_page pops from the back, so push each run in descending order to hand it out ascending.
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    const size_t first = size_t{*it} * kShuffleRun;
    const size_t last = std::min(n, first + kShuffleRun);
    for (size_t pfn = last; pfn-- > first;) free_pfns_.push_back(static_cast<uint32_t>(pfn));
  }
}

PhysMem::~PhysMem() {
  munmap(linear_, size());
  close(memfd_);
}

bool PhysMem::contains(paddr_t pa, size_t len) const {
  return pa >= layout_.base && len <= size() && pa - layout_.base <= size() - len;
}

bool PhysMem::in_carveout(paddr_t pa, size_t len) const {
  const paddr_t cb = carveout_base();
  return pa >= cb && len <= layout_.carveout_size && pa - cb <= layout_.carveout_size - len;
}

bool PhysMem::in_ns_ddr(paddr_t pa, size_t len) const {
  return pa >= layout_.base && len <= layout_.ns_ddr_size &&
         pa - layout_.base <= layout_.ns_ddr_size - len;
}

uint8_t* PhysMem::va(paddr_t pa) const {
  if (!contains(pa, 1)) return nullptr;
  return linear_ + (pa - layout_.base);
}

std::optional<paddr_t> PhysMem::alloc_page() {
  std::lock_guard g(lock_);
  if (free_pfns_.empty()) return std::nullopt;
  const uint32_t pfn = free_pfns_.back();
  free_pfns_.pop_back();
  refs_[pfn].store(1, std::memory_order_relaxed);
  return layout_.base + paddr_t{pfn} * kPageSize;
}

// Carve-out pages are reserved memory outside the allocator: mapping them takes no reference.
void PhysMem::get_page(paddr_t pa) {
  if (!in_ns_ddr(pa, kPageSize)) return;
  refs_[(pa - layout_.base) >> kPageShift].fetch_add(1, std::memory_order_relaxed);
}

void PhysMem::put_page(paddr_t pa) {
  if (!in_ns_ddr(pa, kPageSize)) return;
  const auto pfn = static_cast<uint32_t>((pa - layout_.base) >> kPageShift);
  if (refs_[pfn].fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // A freed page must not leak one owner's bytes to the next, as the kernel zeroes user pages.
  std::memset(linear_ + (pa - layout_.base), 0, kPageSize);
  std::lock_guard g(lock_);
  free_pfns_.push_back(pfn);
}

void PhysMem::put_pages_discard(paddr_t pa, size_t n) {
  if (n == 0 || !in_ns_ddr(pa, n * kPageSize)) return;
  // MADV_REMOVE punches the range out of the memfd: it reads back as zeroes and takes no memory.
  madvise(linear_ + (pa - layout_.base), n * kPageSize, MADV_REMOVE);
  std::lock_guard g(lock_);
  for (size_t i = 0; i < n; ++i) {
    const auto pfn = static_cast<uint32_t>((pa - layout_.base) >> kPageShift) + i;
    if (refs_[pfn].fetch_sub(1, std::memory_order_acq_rel) == 1) free_pfns_.push_back(pfn);
  }
}

size_t PhysMem::free_page_count() const {
  std::lock_guard g(lock_);
  return free_pfns_.size();
}

}  // namespace emu::platform
