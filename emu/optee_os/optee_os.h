// The emulated OP-TEE OS: the secure world behind the SMC conduit. Fast calls are answered at once
// (entry_fast.cc); std calls run on a secure thread (thread.cc) that executes entry_std.cc and the
// TAs, and may exit to the normal world with RPCs.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "emu/optee_os/config.h"
#include "emu/optee_os/mobj_dyn_shm.h"
#include "emu/optee_os/shm_vaspace.h"
#include "emu/optee_os/tee_ta_manager.h"
#include "emu/optee_os/thread.h"
#include "emu/platform/cost_model.h"
#include "emu/platform/phys_mem.h"
#include "emu/platform/smc.h"

namespace emu::optee_os {

class OpteeOs final : public platform::SmcConduit {
 public:
  OpteeOs(const Config& cfg, platform::PhysMem& mem, const platform::CostModel& cost);
  void smc(platform::SmcRegs& regs) override;

  // Secure-side services used by entry code, the GP shim and the wait queues.
  static OpteeOs& current();
  ThreadPool& threads() { return threads_; }
  const ThreadPool& threads() const { return threads_; }
  RegShmRegistry& reg_shm() { return reg_shm_; }
  const RegShmRegistry& reg_shm() const { return reg_shm_; }
  TaManager& ta_manager() { return tas_; }
  const TaManager& ta_manager() const { return tas_; }
  const Config& config() const { return cfg_; }
  platform::PhysMem& mem() { return mem_; }
  const platform::CostModel& cost() const { return cost_; }
  const ShmVaSpace& shm_vaspace() const { return vas_; }
  bool shm_cache_enabled() const { return shm_cache_enabled_.load(); }
  uint32_t sec_caps() const;

 private:
  friend class ThreadPool;
  void fast_smc(platform::SmcRegs& regs);           // entry_fast.cc
  void std_entry(platform::SmcRegs& regs);          // entry_std.cc, on a secure thread
  void disable_shm_cache(platform::SmcRegs& regs);  // entry_fast.cc

  Config cfg_;
  platform::PhysMem& mem_;
  const platform::CostModel& cost_;
  ShmVaSpace vas_;
  RegShmRegistry reg_shm_;
  TaManager tas_;
  ThreadPool threads_;
  std::atomic<bool> shm_cache_enabled_{false};
};

}  // namespace emu::optee_os
