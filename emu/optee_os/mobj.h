// Memory objects: how the secure world refers to normal-world memory (optee_os
// core/include/mm/mobj.h). Static carve-out memory and registered (dynamic) shared memory are two
// implementations of one interface, so entry code and TAs use them alike.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "emu/platform/phys_mem.h"

namespace emu::optee_os {

class Mobj {
 public:
  explicit Mobj(size_t size) : size_(size) {}
  virtual ~Mobj() = default;
  size_t size() const { return size_; }
  // Secure virtual address of byte `offs`; valid between inc_map() and dec_map().
  virtual uint8_t* va(size_t offs) const = 0;
  // Maps the object for one use; returns a TEE result (TEE_SUCCESS = 0).
  virtual uint32_t inc_map() { return 0; }
  virtual void dec_map() {}
  virtual bool is_static() const = 0;

 private:
  size_t size_;
};

// Physically contiguous memory inside the static carve-out (mobj_phys / mobj_shm).
class StaticShmMobj final : public Mobj {
 public:
  StaticShmMobj(uint8_t* va, size_t size) : Mobj(size), va_(va) {}
  uint8_t* va(size_t offs) const override { return va_ + offs; }
  bool is_static() const override { return true; }

 private:
  uint8_t* va_;
};

}  // namespace emu::optee_os
