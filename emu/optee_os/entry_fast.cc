// Fast calls: answered on the calling CPU without a secure thread
// (optee_os core/arch/arm/tee/entry_fast.c).
#include "emu/abi/optee_smc.h"
#include "emu/optee_os/optee_os.h"

namespace emu::optee_os {

using namespace emu::abi;

void OpteeOs::disable_shm_cache(Partition& prtn, platform::SmcRegs& regs) {
  if (!prtn.threads().all_free()) {
    regs.a[0] = OPTEE_SMC_RETURN_EBUSY;
    return;
  }
  prtn.set_shm_cache_enabled(false);
  // Hand back one cached RPC argument per call, until none is left.
  if (uint64_t cookie = prtn.threads().take_cached_rpc_arg()) {
    regs.a[0] = OPTEE_SMC_RETURN_OK;
    regs.a[1] = cookie >> 32;
    regs.a[2] = cookie & 0xffffffffu;
    return;
  }
  regs.a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
}

// `prtn` is the caller's partition, or nullptr for the hypervisor's own calls.
void OpteeOs::fast_smc(Partition* prtn, platform::SmcRegs& regs) {
  const auto id = static_cast<uint32_t>(regs.a[0]);
  auto set = [&regs](uint64_t a0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0) {
    regs.a[0] = a0;
    regs.a[1] = a1;
    regs.a[2] = a2;
    regs.a[3] = a3;
  };
  switch (id) {
    case OPTEE_SMC_CALLS_COUNT:
      set(OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);  // OP-TEE does not answer CALLS_COUNT either
      break;
    case OPTEE_SMC_CALLS_UID:
      set(kOpteeMsgUid[0], kOpteeMsgUid[1], kOpteeMsgUid[2], kOpteeMsgUid[3]);
      break;
    case OPTEE_SMC_CALLS_REVISION:
      set(kOpteeMsgRevisionMajor, kOpteeMsgRevisionMinor);
      break;
    case OPTEE_SMC_CALL_GET_OS_UUID:
      set(kOpteeOsUuid[0], kOpteeOsUuid[1], kOpteeOsUuid[2], kOpteeOsUuid[3]);
      break;
    case OPTEE_SMC_CALL_GET_OS_REVISION:
      set(cfg_.revision_major, cfg_.revision_minor, 0);
      break;
    case OPTEE_SMC_GET_SHM_CONFIG:
      if (!cfg_.core_reserved_shm) {
        set(OPTEE_SMC_RETURN_ENOTAVAIL);
        break;
      }
      set(OPTEE_SMC_RETURN_OK, mem_.carveout_base(), mem_.carveout_size(), OPTEE_SMC_SHM_CACHED);
      break;
    case OPTEE_SMC_EXCHANGE_CAPABILITIES:
      if (regs.a[1] & ~uint64_t{OPTEE_SMC_NSEC_CAP_UNIPROCESSOR}) {
        set(OPTEE_SMC_RETURN_ENOTAVAIL);
        break;
      }
      set(OPTEE_SMC_RETURN_OK, sec_caps(), 0, kThreadRpcMaxNumParams);
      break;
    case OPTEE_SMC_DISABLE_SHM_CACHE:
      if (!prtn) {
        set(OPTEE_SMC_RETURN_ENOTAVAIL);
        break;
      }
      disable_shm_cache(*prtn, regs);
      break;
    case OPTEE_SMC_ENABLE_SHM_CACHE:
      if (!prtn) {
        set(OPTEE_SMC_RETURN_ENOTAVAIL);
        break;
      }
      if (!prtn->threads().all_free()) {
        set(OPTEE_SMC_RETURN_EBUSY);
        break;
      }
      prtn->set_shm_cache_enabled(true);
      set(OPTEE_SMC_RETURN_OK);
      break;
    case OPTEE_SMC_GET_THREAD_COUNT:
      set(OPTEE_SMC_RETURN_OK, cfg_.num_threads);  // per guest with virtualization
      break;
    case OPTEE_SMC_VM_CREATED:
    case OPTEE_SMC_VM_DESTROYED:
      if (!cfg_.ns_virtualization) {
        set(OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
        break;
      }
      // Only the hypervisor may create or destroy partitions.
      if (static_cast<uint16_t>(regs.a[7]) != kHypClientId) {
        set(OPTEE_SMC_RETURN_ENOTAVAIL);
        break;
      }
      set(id == OPTEE_SMC_VM_CREATED ? guest_created(regs.a[1]) : guest_destroyed(regs.a[1]));
      break;
    default:
      set(OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
  }
}

}  // namespace emu::optee_os
