// OP-TEE SMC calling convention: function ids, return codes and capability bits.
// Values restate OP-TEE/optee_os core/arch/arm/include/sm/optee_smc.h (see
// docs/reference: shared/reference/optee-protocol.md §2). Both the emulated Linux driver and the
// emulated secure world use this one header, as both real sides carry a copy of it.
#pragma once

#include <cstdint>

namespace emu::abi {

// Encoding: type (SMC32) | fast bit | owner << 24 | function number.
inline constexpr uint32_t kSmcFastCall = 0x80000000u;
inline constexpr uint32_t kOwnerTrustedOs = 50;
inline constexpr uint32_t kOwnerTrustedOsApi = 63;

constexpr uint32_t smc_fast(uint32_t owner, uint32_t func) {
  return kSmcFastCall | ((owner & 0x3f) << 24) | func;
}
constexpr uint32_t smc_std(uint32_t func) { return ((kOwnerTrustedOs & 0x3f) << 24) | func; }
constexpr uint32_t smc_os_fast(uint32_t func) { return smc_fast(kOwnerTrustedOs, func); }
constexpr bool smc_is_fast(uint64_t id) { return (id & kSmcFastCall) != 0; }

inline constexpr uint32_t OPTEE_SMC_CALLS_COUNT = smc_fast(kOwnerTrustedOsApi, 0xff00);
inline constexpr uint32_t OPTEE_SMC_CALLS_UID = smc_fast(kOwnerTrustedOsApi, 0xff01);
inline constexpr uint32_t OPTEE_SMC_CALLS_REVISION = smc_fast(kOwnerTrustedOsApi, 0xff03);
inline constexpr uint32_t OPTEE_SMC_CALL_GET_OS_UUID = smc_os_fast(0);
inline constexpr uint32_t OPTEE_SMC_CALL_GET_OS_REVISION = smc_os_fast(1);
inline constexpr uint32_t OPTEE_SMC_CALL_RETURN_FROM_RPC = smc_std(3);
inline constexpr uint32_t OPTEE_SMC_CALL_WITH_ARG = smc_std(4);
inline constexpr uint32_t OPTEE_SMC_GET_SHM_CONFIG = smc_os_fast(7);
inline constexpr uint32_t OPTEE_SMC_EXCHANGE_CAPABILITIES = smc_os_fast(9);
inline constexpr uint32_t OPTEE_SMC_DISABLE_SHM_CACHE = smc_os_fast(10);
inline constexpr uint32_t OPTEE_SMC_ENABLE_SHM_CACHE = smc_os_fast(11);
inline constexpr uint32_t OPTEE_SMC_VM_CREATED = smc_os_fast(13);
inline constexpr uint32_t OPTEE_SMC_VM_DESTROYED = smc_os_fast(14);
inline constexpr uint32_t OPTEE_SMC_GET_THREAD_COUNT = smc_os_fast(15);
inline constexpr uint32_t OPTEE_SMC_ENABLE_ASYNC_NOTIF = smc_os_fast(16);
inline constexpr uint32_t OPTEE_SMC_CALL_WITH_RPC_ARG = smc_std(18);
inline constexpr uint32_t OPTEE_SMC_CALL_WITH_REGD_ARG = smc_std(19);

static_assert(OPTEE_SMC_CALLS_UID == 0xBF00FF01u);
static_assert(OPTEE_SMC_CALL_WITH_ARG == 0x32000004u);
static_assert(OPTEE_SMC_GET_THREAD_COUNT == 0xB200000Fu);
static_assert(OPTEE_SMC_CALL_WITH_REGD_ARG == 0x32000013u);

// OPTEE_MSG_UID_0..3 and the OS UUID, returned in a0..a3.
inline constexpr uint32_t kOpteeMsgUid[4] = {0x384fb3e0, 0xe7f811e3, 0xaf630002, 0xa5d5c51b};
inline constexpr uint32_t kOpteeOsUuid[4] = {0x486178e0, 0xe7f811e3, 0xbc5e0002, 0xa5d5c51b};
inline constexpr uint32_t kOpteeMsgRevisionMajor = 2;
inline constexpr uint32_t kOpteeMsgRevisionMinor = 0;

// Return codes in a0.
inline constexpr uint32_t OPTEE_SMC_RETURN_OK = 0;
inline constexpr uint32_t OPTEE_SMC_RETURN_ETHREAD_LIMIT = 1;
inline constexpr uint32_t OPTEE_SMC_RETURN_EBUSY = 2;
inline constexpr uint32_t OPTEE_SMC_RETURN_ERESUME = 3;
inline constexpr uint32_t OPTEE_SMC_RETURN_EBADADDR = 4;
inline constexpr uint32_t OPTEE_SMC_RETURN_EBADCMD = 5;
inline constexpr uint32_t OPTEE_SMC_RETURN_ENOMEM = 6;
inline constexpr uint32_t OPTEE_SMC_RETURN_ENOTAVAIL = 7;
inline constexpr uint32_t OPTEE_SMC_RETURN_UNKNOWN_FUNCTION = 0xffffffffu;

// RPC exits: a0 = 0xFFFF0000 | rpc function.
inline constexpr uint32_t kRpcPrefix = 0xffff0000u;
inline constexpr uint32_t OPTEE_SMC_RPC_FUNC_ALLOC = 0;
inline constexpr uint32_t OPTEE_SMC_RPC_FUNC_FREE = 2;
inline constexpr uint32_t OPTEE_SMC_RPC_FUNC_FOREIGN_INTR = 4;
inline constexpr uint32_t OPTEE_SMC_RPC_FUNC_CMD = 5;
constexpr uint32_t rpc_val(uint32_t func) { return kRpcPrefix | func; }
constexpr bool return_is_rpc(uint64_t a0) {
  return (a0 & 0xffff0000u) == kRpcPrefix && a0 != OPTEE_SMC_RETURN_UNKNOWN_FUNCTION &&
         (a0 >> 32) == 0;
}
constexpr uint32_t rpc_func(uint64_t a0) { return static_cast<uint32_t>(a0 & 0xffff); }

inline constexpr uint32_t OPTEE_SMC_SHM_CACHED = 1;

// Capabilities exchanged by EXCHANGE_CAPABILITIES.
inline constexpr uint32_t OPTEE_SMC_NSEC_CAP_UNIPROCESSOR = 1u << 0;
inline constexpr uint32_t OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM = 1u << 0;
inline constexpr uint32_t OPTEE_SMC_SEC_CAP_UNREGISTERED_SHM = 1u << 1;
inline constexpr uint32_t OPTEE_SMC_SEC_CAP_DYNAMIC_SHM = 1u << 2;
inline constexpr uint32_t OPTEE_SMC_SEC_CAP_VIRTUALIZATION = 1u << 3;
inline constexpr uint32_t OPTEE_SMC_SEC_CAP_MEMREF_NULL = 1u << 4;
inline constexpr uint32_t OPTEE_SMC_SEC_CAP_ASYNC_NOTIF = 1u << 5;
inline constexpr uint32_t OPTEE_SMC_SEC_CAP_RPC_ARG = 1u << 6;

inline constexpr uint32_t kThreadRpcMaxNumParams = 4;

// Hypervisor client id in a7; 0 = hypervisor or no virtualization.
inline constexpr uint32_t kHypClientId = 0;

}  // namespace emu::abi
