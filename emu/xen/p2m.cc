#include "emu/xen/p2m.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

namespace emu::xen {

using platform::kPageShift;
using platform::kPageSize;

namespace {
// Machine runs are cut into pieces of this many pages before shuffling: short enough that most
// multi-page buffers cross a discontinuity, long enough to keep the host view to a few thousand
// mappings per guest (vm.max_map_count is 65530).
constexpr size_t kP2mRun = 8;
}  // namespace

GuestMemory::GuestMemory(platform::PhysMem& machine, size_t ram_size, uint64_t seed)
    : machine_(machine), pages_(ram_size / kPageSize) {
  if (ram_size == 0 || ram_size % (kP2mRun * kPageSize))
    throw std::invalid_argument("guest RAM must be a non-zero multiple of 32 KiB");
  if (machine.free_page_count() < pages_)
    throw std::runtime_error("guest RAM: the machine has " +
                             std::to_string(machine.free_page_count() * kPageSize >> 20) +
                             " MiB free, the guest needs " + std::to_string(ram_size >> 20) +
                             " MiB; raise --set ddr or lower --set guest_ram");
  std::vector<paddr_t> taken;
  taken.reserve(pages_);
  for (size_t i = 0; i < pages_; ++i) taken.push_back(*machine.alloc_page());
  // Cut into runs and shuffle them onto the IPA range.
  std::vector<size_t> runs(pages_ / kP2mRun);
  for (size_t r = 0; r < runs.size(); ++r) runs[r] = r;
  std::mt19937_64 rng(seed);
  std::shuffle(runs.begin(), runs.end(), rng);
  p2m_.reserve(pages_);
  for (size_t r : runs)
    for (size_t i = 0; i < kP2mRun; ++i) p2m_.push_back(taken[r * kP2mRun + i]);

  void* base = mmap(nullptr, ram_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
                    0);
  if (base == MAP_FAILED) throw std::runtime_error("guest RAM: cannot reserve its host view");
  linear_ = static_cast<uint8_t*>(base);
  for (size_t i = 0; i < pages_;) {
    size_t run = 1;
    while (i + run < pages_ && p2m_[i + run] == p2m_[i] + run * kPageSize) ++run;
    void* r = mmap(linear_ + i * kPageSize, run * kPageSize, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_FIXED, machine.memfd(),
                   static_cast<off_t>(machine.offset(p2m_[i])));
    if (r == MAP_FAILED) {
      munmap(linear_, ram_size);
      for (paddr_t pa : p2m_) machine.put_page(pa);
      throw std::runtime_error("guest RAM: host mapping failed (vm.max_map_count?)");
    }
    i += run;
  }
  refs_ = std::make_unique<std::atomic<uint32_t>[]>(pages_);
  free_.reserve(pages_);
  for (size_t i = pages_; i-- > 0;) free_.push_back(static_cast<uint32_t>(i));
}

GuestMemory::~GuestMemory() {
  munmap(linear_, pages_ * kPageSize);
  // Pages a hypervisor pin still holds stay with the machine until it is dropped.
  for (size_t i = 0; i < pages_;) {
    size_t run = 1;
    while (i + run < pages_ && p2m_[i + run] == p2m_[i] + run * kPageSize) ++run;
    machine_.put_pages_discard(p2m_[i], run);
    i += run;
  }
}

std::optional<paddr_t> GuestMemory::p2m(paddr_t ipa) const {
  if (!contains(ipa, 1)) return std::nullopt;
  return p2m_[(ipa - kRamBase) >> kPageShift] | (ipa & (kPageSize - 1));
}

uint64_t GuestMemory::offset(paddr_t ipa) const {
  return machine_.offset(p2m_[(ipa - kRamBase) >> kPageShift]) + (ipa & (kPageSize - 1));
}

bool GuestMemory::contains(paddr_t ipa, size_t len) const {
  const size_t size = pages_ * kPageSize;
  return ipa >= kRamBase && len <= size && ipa - kRamBase <= size - len;
}

uint8_t* GuestMemory::va(paddr_t ipa) const {
  if (!contains(ipa, 1)) return nullptr;
  return linear_ + (ipa - kRamBase);
}

std::optional<paddr_t> GuestMemory::alloc_page() {
  std::lock_guard g(lock_);
  if (free_.empty()) return std::nullopt;
  const uint32_t i = free_.back();
  free_.pop_back();
  refs_[i].store(1, std::memory_order_relaxed);
  return kRamBase + paddr_t{i} * kPageSize;
}

void GuestMemory::get_page(paddr_t ipa) {
  if (!contains(ipa, kPageSize)) return;
  refs_[(ipa - kRamBase) >> kPageShift].fetch_add(1, std::memory_order_relaxed);
}

void GuestMemory::put_page(paddr_t ipa) {
  if (!contains(ipa, kPageSize)) return;
  const auto i = static_cast<uint32_t>((ipa - kRamBase) >> kPageShift);
  if (refs_[i].fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  std::memset(linear_ + (ipa - kRamBase), 0, kPageSize);
  std::lock_guard g(lock_);
  free_.push_back(i);
}

size_t GuestMemory::free_page_count() const {
  std::lock_guard g(lock_);
  return free_.size();
}

}  // namespace emu::xen
