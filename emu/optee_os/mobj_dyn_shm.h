// Registered shared memory (optee_os core/mm/mobj_dyn_shm.c): objects created by REGISTER_SHM from
// a non-contiguous page list, found by cookie, refcounted by in-flight calls, mapped into the
// 32 MiB shm VA window only while used, and released by cookie, waiting while still in use.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "emu/optee_os/mobj.h"
#include "emu/optee_os/shm_vaspace.h"
#include "emu/optee_os/wait_queue.h"
#include "emu/platform/cost_model.h"

namespace emu::optee_os {

class RegShmMobj final : public Mobj {
 public:
  RegShmMobj(uint64_t cookie, std::vector<platform::paddr_t> pages, size_t page_offset, size_t size,
             platform::PhysMem& mem, ShmVaSpace& vas, const platform::CostModel& cost);
  ~RegShmMobj() override;
  uint8_t* va(size_t offs) const override { return base_ + page_offset_ + offs; }
  uint32_t inc_map() override;
  void dec_map() override;
  bool is_static() const override { return false; }
  uint64_t cookie() const { return cookie_; }
  size_t page_count() const { return pages_.size(); }

 private:
  friend class RegShmRegistry;
  uint64_t cookie_;
  std::vector<platform::paddr_t> pages_;
  size_t page_offset_;
  platform::PhysMem& mem_;
  ShmVaSpace& vas_;
  const platform::CostModel& cost_;
  std::mutex map_lock_;
  uint32_t map_count_ = 0;
  ShmVaSpace::Mapping mapping_{};
  uint8_t* base_ = nullptr;       // host view of the pages
  size_t host_len_ = 0;           // non-zero when base_ is our own mapping
  bool map_leak_defect_ = false;  // Config::defect_mobj_map_leak
  // Owned by RegShmRegistry's lock.
  uint32_t users_ = 0;
  bool releasing_ = false;
};

class RegShmRegistry {
 public:
  RegShmRegistry(platform::PhysMem& mem, ShmVaSpace& vas, const platform::CostModel& cost,
                 size_t heap_size, bool map_leak_defect = false);
  // mobj_reg_shm_alloc + unguard. TEE_ERROR_BAD_PARAMETERS for a duplicate cookie or a page
  // outside non-secure DDR, TEE_ERROR_OUT_OF_MEMORY when the core heap cannot hold the metadata.
  uint32_t register_shm(uint64_t cookie, std::vector<platform::paddr_t> pages, size_t page_offset,
                        size_t size);
  // mobj_reg_shm_get_by_cookie: a reference for one call, or nullptr.
  std::shared_ptr<RegShmMobj> get(uint64_t cookie);
  void put(const std::shared_ptr<RegShmMobj>& m);
  // mobj_reg_shm_release_by_cookie: blocks (secure thread suspended) while the object is in use.
  uint32_t release(uint64_t cookie);
  // A temporary object for a NONCONTIG TMEM parameter: lives for one call, costs heap like any.
  std::shared_ptr<RegShmMobj> make_temporary(std::vector<platform::paddr_t> pages,
                                             size_t page_offset, size_t size, uint32_t* res);
  void drop_temporary(const std::shared_ptr<RegShmMobj>& m);

  size_t count() const;
  size_t heap_used() const;

 private:
  static size_t heap_cost(size_t pages);
  bool heap_take(size_t bytes);
  void heap_give(size_t bytes);

  platform::PhysMem& mem_;
  ShmVaSpace& vas_;
  const platform::CostModel& cost_;
  const size_t heap_size_;
  const bool map_leak_defect_;
  mutable std::mutex lock_;
  size_t heap_used_ = 0;
  std::unordered_map<uint64_t, std::shared_ptr<RegShmMobj>> by_cookie_;
  WaitQueue released_;
};

}  // namespace emu::optee_os
