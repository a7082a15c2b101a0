// Build-time knobs of OP-TEE OS that change behaviour the suite measures (optee_os mk/config.mk).
#pragma once

#include <cstddef>
#include <cstdint>

namespace emu::optee_os {

// The OP-TEE release the emulator models, with its qemu_v8 defaults (the values an OP-TEE build
// for QEMU writes into export-ta_arm64/host_include/conf.h; docs/targets.md "The modelled
// release"). The revision is what GET_OS_REVISION reports.
struct Release {
  const char* name;
  uint32_t revision_major, revision_minor;
  size_t core_heap_size;  // CFG_CORE_HEAP_SIZE
};
inline constexpr Release kOptee4_9_0{"4.9.0", 4, 9, 196608};
inline constexpr Release kOptee4_0_0{"4.0.0", 4, 0, 65536};

struct Config {
  const char* release = kOptee4_9_0.name;
  uint32_t num_threads = 2;                            // CFG_NUM_THREADS
  bool core_dyn_shm = true;                            // CFG_CORE_DYN_SHM
  bool core_reserved_shm = true;                       // CFG_CORE_RESERVED_SHM
  size_t core_heap_size = kOptee4_9_0.core_heap_size;  // CFG_CORE_HEAP_SIZE
  size_t shm_vaspace_size = size_t{32} << 20;          // SHM_VASPACE_SIZE (core_mmu.c)
  bool ns_virtualization = false;                      // CFG_NS_VIRTUALIZATION
  uint32_t virt_guest_count = 2;                       // CFG_VIRT_GUEST_COUNT
  // Defect (off by default, docs/defects.md): the last user of a registered buffer's mapping does
  // not unmap it (OP-TEE/optee_os PR #4410, an inverted map-count check in
  // mobj_reg_shm_dec_map), so every use leaks its pages of the shm VA window until it runs out.
  bool defect_mobj_map_leak = false;
  uint32_t foreign_intr_tick_us = 1000;  // a normal-world timer tick preempting secure work
  // CFG_EARLY_TA: the TAs are linked into OP-TEE's image, so a new instance needs no
  // tee-supplicant. Off, as on a device with its TAs in /lib/optee_armtz: every new instance is
  // loaded through tee-supplicant (ree_fs_ta.h).
  bool early_tas = false;
  // CFG_OPTEE_REVISION_MAJOR/MINOR reported by GET_OS_REVISION.
  uint32_t revision_major = kOptee4_9_0.revision_major;
  uint32_t revision_minor = kOptee4_9_0.revision_minor;
};

}  // namespace emu::optee_os
