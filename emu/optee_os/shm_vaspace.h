// The secure virtual-address window registered shared memory is mapped into while in use
// (core_virt_shm_pool, SHM_VASPACE_SIZE = 32 MiB in optee_os core/mm/core_mmu.c). Running out of it
// is what limits how much registered memory can be in use at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "emu/platform/phys_mem.h"

namespace emu::optee_os {

class ShmVaSpace {
 public:
  struct Mapping {
    size_t first_page = 0;
    size_t pages = 0;
    bool remapped = false;  // pages were mapped into the window (not physically contiguous)
  };
  ShmVaSpace(platform::PhysMem& mem, size_t size);
  ~ShmVaSpace();
  ShmVaSpace(const ShmVaSpace&) = delete;
  ShmVaSpace& operator=(const ShmVaSpace&) = delete;

  // Maps `pages` at consecutive secure addresses; nullptr if the window has no room.
  uint8_t* map(const std::vector<platform::paddr_t>& pages, Mapping* out);
  void unmap(const Mapping& m);
  size_t used_pages() const;

 private:
  platform::PhysMem& mem_;
  uint8_t* base_ = nullptr;
  size_t pages_ = 0;
  mutable std::mutex lock_;
  std::map<size_t, size_t> free_;  // first page -> page count, coalesced
  size_t used_ = 0;
};

}  // namespace emu::optee_os
