// The emulated OP-TEE OS: the secure world behind the SMC conduit. Fast calls are answered at once
// (entry_fast.cc); std calls run on a secure thread (thread.cc) of the caller's partition
// (virtualization.h) that executes entry_std.cc and the TAs, and may exit to the normal world with
// RPCs.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "emu/optee_os/config.h"
#include "emu/optee_os/virtualization.h"
#include "emu/platform/cost_model.h"
#include "emu/platform/phys_mem.h"
#include "emu/platform/smc.h"

namespace emu::optee_os {

class OpteeOs final : public platform::SmcConduit {
 public:
  OpteeOs(const Config& cfg, platform::PhysMem& mem, const platform::CostModel& cost);
  ~OpteeOs() override;
  void smc(platform::SmcRegs& regs) override;

  static OpteeOs& current();
  const Config& config() const { return cfg_; }
  platform::PhysMem& mem() { return mem_; }
  const platform::CostModel& cost() const { return cost_; }
  uint32_t sec_caps() const;
  bool virtualized() const { return cfg_.ns_virtualization; }

  // Without virtualization: the one partition everything runs in (std::logic_error otherwise).
  Partition& partition();
  const Partition& partition() const;
  ThreadPool& threads() { return partition().threads(); }
  const ThreadPool& threads() const { return partition().threads(); }
  RegShmRegistry& reg_shm() { return partition().reg_shm(); }
  const RegShmRegistry& reg_shm() const { return partition().reg_shm(); }
  TaManager& ta_manager() { return partition().ta_manager(); }
  const TaManager& ta_manager() const { return partition().ta_manager(); }
  const ShmVaSpace& shm_vaspace() const { return partition().shm_vaspace(); }

  // With virtualization: guest `id`'s partition (nullptr if there is none, or it is shutting down).
  std::shared_ptr<Partition> guest(uint16_t id) const;
  // Every partition that still exists, including destroyed guests whose last call is still
  // running (their memory is not yet free).
  std::vector<std::shared_ptr<Partition>> partitions() const;
  // Summed over every partition: what a whole-machine invariant looks at.
  bool all_threads_free() const;
  size_t session_count() const;
  // TA instances alive now and ever created, all partitions.
  size_t ta_instance_count() const;
  uint64_t ta_instances_created() const;
  size_t reg_shm_count() const;

 private:
  friend class ThreadPool;
  // virt_set_guest: the partition an SMC with this a7 runs in, referenced for the SMC's duration.
  std::shared_ptr<Partition> set_guest(uint64_t a7) const;
  uint32_t guest_created(uint64_t guest_id);    // VM_CREATED
  uint32_t guest_destroyed(uint64_t guest_id);  // VM_DESTROYED
  size_t partitions_in_memory() const;
  void fast_smc(Partition* prtn, platform::SmcRegs& regs);           // entry_fast.cc
  void std_entry(Partition& prtn, platform::SmcRegs& regs);          // entry_std.cc
  void disable_shm_cache(Partition& prtn, platform::SmcRegs& regs);  // entry_fast.cc

  Config cfg_;
  platform::PhysMem& mem_;
  const platform::CostModel& cost_;
  std::shared_ptr<Partition> default_;  // without virtualization
  // Nexus state.
  mutable std::mutex nexus_lock_;
  std::map<uint16_t, std::shared_ptr<Partition>> guests_;
  std::vector<std::weak_ptr<Partition>> shutting_down_;
};

}  // namespace emu::optee_os
