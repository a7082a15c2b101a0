// OP-TEE OS as a whole: its parts, the monitor's dispatch of an SMC to fast or std handling, and
// the capabilities it advertises (optee_os core/arch/arm/tee/entry_fast.c, sm/).
#include "emu/optee_os/optee_os.h"

#include "emu/abi/optee_smc.h"

namespace emu::optee_os {

using namespace emu::abi;

uint32_t OpteeOs::sec_caps() const {
  uint32_t caps = OPTEE_SMC_SEC_CAP_MEMREF_NULL | OPTEE_SMC_SEC_CAP_RPC_ARG;
  if (cfg_.core_reserved_shm) caps |= OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM;
  // Dynamic shm needs a non-secure DDR range to validate page lists against; we always have one.
  if (cfg_.core_dyn_shm) caps |= OPTEE_SMC_SEC_CAP_DYNAMIC_SHM;
  return caps;
}

OpteeOs::OpteeOs(const Config& cfg, platform::PhysMem& mem, const platform::CostModel& cost)
    : cfg_(cfg),
      mem_(mem),
      cost_(cost),
      vas_(cfg.shm_vaspace_size),
      reg_shm_(mem, vas_, cost, cfg.core_heap_size),
      tas_(cost),
      threads_(*this, cfg.num_threads) {}

void OpteeOs::smc(platform::SmcRegs& regs) {
  cost_.charge(platform::Cost::kSmcRoundTrip);
  if (smc_is_fast(regs.a[0]))
    fast_smc(regs);
  else
    threads_.handle_std_smc(regs);
}

OpteeOs& OpteeOs::current() { return ThreadPool::current()->pool->os(); }

}  // namespace emu::optee_os
