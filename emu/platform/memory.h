// Physical memory as one kernel sees it. On a board without a hypervisor that is the machine's
// memory itself (PhysMem); in a guest it is the guest's intermediate physical address space, which
// the hypervisor's stage-2 tables map onto machine pages (xen/p2m.h). The normal-world kernel, its
// processes and the OP-TEE driver only ever use this view; OP-TEE always sees machine addresses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace emu::platform {

inline constexpr size_t kPageSize = 4096;
inline constexpr unsigned kPageShift = 12;
using paddr_t = uint64_t;

class Memory {
 public:
  virtual ~Memory() = default;

  // The memfd holding the bytes, and where the page at `pa` lives in it: how a process maps pages.
  virtual int memfd() const = 0;
  virtual uint64_t offset(paddr_t pa) const = 0;
  // True if [pa, pa+len) is memory of this view.
  virtual bool contains(paddr_t pa, size_t len) const = 0;
  virtual bool in_carveout(paddr_t pa, size_t len) const = 0;
  virtual bool in_ns_ddr(paddr_t pa, size_t len) const = 0;
  virtual paddr_t carveout_base() const = 0;
  virtual size_t carveout_size() const = 0;
  // The kernel's linear map: consecutive addresses of this view are consecutive bytes.
  virtual uint8_t* va(paddr_t pa) const = 0;

  // Page allocator with refcounts (alloc_pages/get_page/put_page); freed pages are zeroed.
  virtual std::optional<paddr_t> alloc_page() = 0;
  virtual void get_page(paddr_t pa) = 0;
  virtual void put_page(paddr_t pa) = 0;
  virtual size_t free_page_count() const = 0;
  virtual size_t ns_page_count() const = 0;
};

}  // namespace emu::platform
