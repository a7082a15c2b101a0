// The secure virtual-address window registered shared memory is mapped into while in use
// (core_virt_shm_pool, SHM_VASPACE_SIZE = 32 MiB in optee_os core/mm/core_mmu.c). Running out of it
// is what limits how much registered memory can be in use at once. The emulator keeps the window's
// accounting here; the bytes are reached through a host mapping each object makes once (see
// RegShmMobj), so a use costs what the cost model says rather than host mmap calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace emu::optee_os {

class ShmVaSpace {
 public:
  struct Mapping {
    size_t first_page = 0;
    size_t pages = 0;
  };
  explicit ShmVaSpace(size_t size);

  // Takes `pages` consecutive pages of the window; false if it has no room.
  bool map(size_t pages, Mapping* out);
  void unmap(const Mapping& m);
  size_t used_pages() const;

 private:
  size_t pages_ = 0;
  mutable std::mutex lock_;
  std::map<size_t, size_t> free_;  // first page -> page count, coalesced
  size_t used_ = 0;
};

}  // namespace emu::optee_os
