// The address space of one emulated client process: physical pages mapped at host addresses.
// The emulated kernel translates a user address to pages from this record, as pin_user_pages()
// walks the page tables; an address outside every mapping is -EFAULT.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <span>
#include <vector>

#include "emu/platform/memory.h"

namespace emu::platform {

class AddressSpace {
 public:
  explicit AddressSpace(Memory& mem) : mem_(mem) {}
  ~AddressSpace();
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;

  // Maps `pages` contiguously at a new host address; the mapping takes a reference on each page
  // and keeps `backing` (e.g. the shm file an mmap came from) alive until it is unmapped.
  // Returns nullptr with *err = -errno on failure.
  void* map(std::span<const paddr_t> pages, std::shared_ptr<void> backing, int* err);
  // mmap(MAP_ANONYMOUS): `len` bytes of fresh pages, rounded up to whole pages. Returns nullptr
  // with *err = -errno (-ENOMEM when memory runs out).
  void* map_anonymous(size_t len, int* err);
  // Unmaps the mapping that starts at `addr` with length `len`. -EINVAL if there is none.
  int unmap(void* addr, size_t len);
  // exit_mm(): drops every mapping (and what they keep alive).
  void unmap_all();
  // pin_user_pages: the page behind each 4 KiB page of [addr, addr+len), with a reference taken
  // on each (release with Memory::put_page). -EFAULT if any part is not mapped.
  int pin(uintptr_t addr, size_t len, std::vector<paddr_t>* pages) const;
  // True if all of [addr, addr+len) lies inside mappings of this address space.
  bool contains(uintptr_t addr, size_t len) const;
  size_t mapping_count() const;
  Memory& mem() const { return mem_; }

 private:
  struct Mapping {
    size_t len = 0;
    std::vector<paddr_t> pages;
    std::shared_ptr<void> backing;
  };
  const Mapping* find(uintptr_t addr, uintptr_t* start) const;
  void release(void* addr, Mapping& m);

  Memory& mem_;
  mutable std::shared_mutex lock_;
  std::map<uintptr_t, Mapping> maps_;
};

}  // namespace emu::platform
