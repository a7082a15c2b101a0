// Build-time knobs of OP-TEE OS that change behaviour the suite measures (optee_os mk/config.mk).
#pragma once

#include <cstddef>
#include <cstdint>

namespace emu::optee_os {

struct Config {
  uint32_t num_threads = 2;                    // CFG_NUM_THREADS
  bool core_dyn_shm = true;                    // CFG_CORE_DYN_SHM
  bool core_reserved_shm = true;               // CFG_CORE_RESERVED_SHM
  size_t core_heap_size = 65536;               // CFG_CORE_HEAP_SIZE
  size_t shm_vaspace_size = size_t{32} << 20;  // SHM_VASPACE_SIZE (core_mmu.c)
  bool ns_virtualization = false;              // CFG_NS_VIRTUALIZATION
  uint32_t virt_guest_count = 2;               // CFG_VIRT_GUEST_COUNT
  uint32_t foreign_intr_tick_us = 1000;        // a normal-world timer tick preempting secure work
  // CFG_OPTEE_REVISION_MAJOR/MINOR reported by GET_OS_REVISION.
  uint32_t revision_major = 4;
  uint32_t revision_minor = 10;
};

}  // namespace emu::optee_os
