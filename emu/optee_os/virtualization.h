// Guest partitions (optee_os core/arch/arm/kernel/virtualization.c, CFG_NS_VIRTUALIZATION). What
// OP-TEE keeps in its ordinary .data/.bss/heap is banked per guest: the thread pool, sessions and TA
// instances, registered shared memory with its heap and VA window, the RPC-arg cache switch. Only
// nexus state (the partition list) is shared. Without virtualization there is one partition.
#pragma once

#include <atomic>
#include <cstdint>

#include "emu/optee_os/mobj_dyn_shm.h"
#include "emu/optee_os/shm_vaspace.h"
#include "emu/optee_os/tee_ta_manager.h"
#include "emu/optee_os/thread.h"

namespace emu::optee_os {

class OpteeOs;

// The hypervisor's client id (HYP_CLNT_ID): a7 = 0 on an SMC issued by the hypervisor itself.
inline constexpr uint16_t kHypClientId = 0;

class Partition {
 public:
  Partition(OpteeOs& os, uint16_t guest_id);
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  uint16_t id() const { return id_; }
  OpteeOs& os() { return os_; }
  ThreadPool& threads() { return threads_; }
  const ThreadPool& threads() const { return threads_; }
  RegShmRegistry& reg_shm() { return reg_shm_; }
  const RegShmRegistry& reg_shm() const { return reg_shm_; }
  TaManager& ta_manager() { return tas_; }
  const TaManager& ta_manager() const { return tas_; }
  const ShmVaSpace& shm_vaspace() const { return vas_; }
  bool shm_cache_enabled() const { return shm_cache_enabled_.load(); }
  void set_shm_cache_enabled(bool on) { shm_cache_enabled_ = on; }

  // The partition of the secure thread running on this CPU.
  static Partition& current();

 private:
  OpteeOs& os_;
  const uint16_t id_;
  // Destroyed in reverse order: threads first, so nothing runs against the registries below.
  ShmVaSpace vas_;
  RegShmRegistry reg_shm_;
  TaManager tas_;
  ThreadPool threads_;
  std::atomic<bool> shm_cache_enabled_{false};
};

}  // namespace emu::optee_os
