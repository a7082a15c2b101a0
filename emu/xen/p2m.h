// A guest's physical memory: its intermediate physical address (IPA) space and the stage-2 map
// (p2m) onto machine pages (xen/arch/arm/p2m.c). The guest's RAM is taken from the machine when the
// domain is built and handed back when it is destroyed. The map is deliberately scattered: IPA pages
// that are consecutive for the guest lie in short runs at unrelated machine addresses, so a page
// list that a guest builds is only right for OP-TEE after the mediator translates every entry.
//
// The guest's kernel sees this through platform::Memory, with its own page allocator; its linear
// map is a host view of the IPA range (each machine run mapped from the memfd), so a byte the guest
// writes at an IPA lands in the machine page the p2m names.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "emu/platform/phys_mem.h"

namespace emu::xen {

using platform::paddr_t;

class GuestMemory final : public platform::Memory {
 public:
  // GUEST_RAM0_BASE of Xen's arm guest layout: the same numbers as the machine's DDR, so an
  // untranslated IPA reaching OP-TEE would address some other machine page.
  static constexpr paddr_t kRamBase = 0x40000000;

  // Throws std::runtime_error naming the shortfall if the machine has too few free pages.
  GuestMemory(platform::PhysMem& machine, size_t ram_size, uint64_t seed);
  ~GuestMemory() override;
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  // The p2m lookup: the machine page behind the IPA page holding `ipa`, or nullopt if that is not
  // this guest's RAM (get_page_from_gfn failing on a non-RAM type).
  std::optional<paddr_t> p2m(paddr_t ipa) const;
  platform::PhysMem& machine() const { return machine_; }
  size_t ram_size() const { return pages_ * platform::kPageSize; }

  // platform::Memory: the guest kernel's view.
  int memfd() const override { return machine_.memfd(); }
  uint64_t offset(paddr_t ipa) const override;
  bool contains(paddr_t ipa, size_t len) const override;
  bool in_carveout(paddr_t, size_t) const override { return false; }  // no static shm in guests
  bool in_ns_ddr(paddr_t ipa, size_t len) const override { return contains(ipa, len); }
  paddr_t carveout_base() const override { return 0; }
  size_t carveout_size() const override { return 0; }
  uint8_t* va(paddr_t ipa) const override;
  std::optional<paddr_t> alloc_page() override;
  void get_page(paddr_t ipa) override;
  void put_page(paddr_t ipa) override;
  size_t free_page_count() const override;
  size_t ns_page_count() const override { return pages_; }

 private:
  platform::PhysMem& machine_;
  size_t pages_ = 0;
  std::vector<paddr_t> p2m_;  // IPA page index -> machine address
  uint8_t* linear_ = nullptr;
  mutable std::mutex lock_;
  std::vector<uint32_t> free_;  // guest page indices; the guest allocator hands out low pages first
  std::unique_ptr<std::atomic<uint32_t>[]> refs_;
};

}  // namespace emu::xen
