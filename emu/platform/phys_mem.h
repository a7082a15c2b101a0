// Emulated physical memory: one memfd of 4 KiB pages holding non-secure DDR and the static shared
// memory carve-out. The secure world and the emulated kernel see it through one linear mapping;
// emulated client processes map individual pages at their own addresses (address_space.h), so a
// byte written by a TA lands in the very page the client reads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "emu/platform/memory.h"

namespace emu::platform {

struct PhysMemLayout {
  paddr_t base = 0x40000000;               // where DDR starts, as on the QEMU virt board
  size_t ns_ddr_size = size_t{512} << 20;  // pages handed to processes and the kernel
  size_t carveout_size = size_t{2} << 20;  // CFG_SHMEM_SIZE; follows the DDR range
  uint64_t shuffle_seed = 0x7ee;  // page allocation order, so page lists are non-contiguous
};

class PhysMem final : public Memory {
 public:
  explicit PhysMem(const PhysMemLayout& layout);
  ~PhysMem() override;
  PhysMem(const PhysMem&) = delete;
  PhysMem& operator=(const PhysMem&) = delete;

  int memfd() const override { return memfd_; }
  paddr_t base() const { return layout_.base; }
  size_t size() const { return layout_.ns_ddr_size + layout_.carveout_size; }
  paddr_t carveout_base() const override { return layout_.base + layout_.ns_ddr_size; }
  size_t carveout_size() const override { return layout_.carveout_size; }
  // Offset of `pa` in the memfd.
  uint64_t offset(paddr_t pa) const override { return pa - layout_.base; }

  // True if [pa, pa+len) is emulated memory.
  bool contains(paddr_t pa, size_t len) const override;
  bool in_carveout(paddr_t pa, size_t len) const override;
  bool in_ns_ddr(paddr_t pa, size_t len) const override;
  // The linear view used by the kernel and the secure world; nullptr outside memory.
  uint8_t* va(paddr_t pa) const override;

  // Page allocator for non-secure DDR (not the carve-out). Pages are refcounted so that a pin
  // (registered shm) keeps a page alive after its process unmaps it, as get_page()/put_page() do.
  std::optional<paddr_t> alloc_page() override;
  void get_page(paddr_t pa) override;
  void put_page(paddr_t pa) override;
  // Returns the pages of [pa, pa + n pages) that the caller owns one reference to, discarding their
  // contents without touching them (a guest's RAM at teardown: most of it was never written, and
  // zeroing it by hand would make all of it resident).
  void put_pages_discard(paddr_t pa, size_t n);
  size_t free_page_count() const override;
  size_t ns_page_count() const override { return layout_.ns_ddr_size / kPageSize; }

 private:
  PhysMemLayout layout_;
  int memfd_ = -1;
  uint8_t* linear_ = nullptr;
  mutable std::mutex lock_;
  std::vector<uint32_t> free_pfns_;  // relative page numbers, shuffled once
  std::unique_ptr<std::atomic<uint32_t>[]> refs_;
};

}  // namespace emu::platform
