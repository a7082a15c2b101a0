// The optee_msg_arg message format shared by the normal and secure worlds, and the RPC command
// numbers (optee_os core/include/optee_msg.h and optee_rpc_cmd.h; reference §3). Layouts are
// pinned with static_assert because both worlds read the same bytes in emulated memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace emu::abi {

struct OpteeMsgParamTmem {
  uint64_t buf_ptr;
  uint64_t size;
  uint64_t shm_ref;
};
struct OpteeMsgParamRmem {
  uint64_t offs;
  uint64_t size;
  uint64_t shm_ref;
};
struct OpteeMsgParamValue {
  uint64_t a;
  uint64_t b;
  uint64_t c;
};
struct OpteeMsgParam {
  uint64_t attr;
  union {
    OpteeMsgParamTmem tmem;
    OpteeMsgParamRmem rmem;
    OpteeMsgParamValue value;
    uint8_t octets[24];
  } u;
};
struct OpteeMsgArg {
  uint32_t cmd;
  uint32_t func;
  uint32_t session;
  uint32_t cancel_id;
  uint32_t pad;
  uint32_t ret;
  uint32_t ret_origin;
  uint32_t num_params;
  // params[num_params] follow in memory.
};
static_assert(sizeof(OpteeMsgParam) == 32);
static_assert(sizeof(OpteeMsgArg) == 32);

// The params that follow an argument struct in memory.
inline OpteeMsgParam* params_of(OpteeMsgArg* arg) {
  return reinterpret_cast<OpteeMsgParam*>(arg + 1);
}

constexpr size_t optee_msg_get_arg_size(size_t num_params) {
  return sizeof(OpteeMsgArg) + sizeof(OpteeMsgParam) * num_params;
}
inline constexpr size_t kNoncontigPageSize = 4096;
inline constexpr size_t OPTEE_MSG_MAX_NUM_PARAMS =
    (kNoncontigPageSize - sizeof(OpteeMsgArg)) / sizeof(OpteeMsgParam);
static_assert(OPTEE_MSG_MAX_NUM_PARAMS == 127);
// A page of a non-contiguous page list: 511 page addresses and the PA of the next list page.
inline constexpr size_t kPagesListEntries = kNoncontigPageSize / sizeof(uint64_t) - 1;
static_assert(kPagesListEntries == 511);

inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_NONE = 0x0;
inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_VALUE_INPUT = 0x1;
inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT = 0x2;
inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_VALUE_INOUT = 0x3;
inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_RMEM_INPUT = 0x5;
inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT = 0x6;
inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_RMEM_INOUT = 0x7;
inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_TMEM_INPUT = 0x9;
inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT = 0xa;
inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_TMEM_INOUT = 0xb;
inline constexpr uint64_t OPTEE_MSG_ATTR_TYPE_MASK = 0xff;
inline constexpr uint64_t OPTEE_MSG_ATTR_META = 1u << 8;
inline constexpr uint64_t OPTEE_MSG_ATTR_NONCONTIG = 1u << 9;
inline constexpr unsigned OPTEE_MSG_ATTR_CACHE_SHIFT = 16;
inline constexpr uint64_t OPTEE_MSG_ATTR_CACHE_PREDEFINED = 0;

inline constexpr uint32_t OPTEE_MSG_CMD_OPEN_SESSION = 0;
inline constexpr uint32_t OPTEE_MSG_CMD_INVOKE_COMMAND = 1;
inline constexpr uint32_t OPTEE_MSG_CMD_CLOSE_SESSION = 2;
inline constexpr uint32_t OPTEE_MSG_CMD_CANCEL = 3;
inline constexpr uint32_t OPTEE_MSG_CMD_REGISTER_SHM = 4;
inline constexpr uint32_t OPTEE_MSG_CMD_UNREGISTER_SHM = 5;

// RPC commands carried in an RPC optee_msg_arg (optee_rpc_cmd.h).
inline constexpr uint32_t OPTEE_RPC_CMD_LOAD_TA = 0;
inline constexpr uint32_t OPTEE_RPC_CMD_GET_TIME = 3;
inline constexpr uint32_t OPTEE_RPC_CMD_NOTIFICATION = 4;
inline constexpr uint32_t OPTEE_RPC_CMD_SUSPEND = 5;
inline constexpr uint32_t OPTEE_RPC_CMD_SHM_ALLOC = 6;
inline constexpr uint32_t OPTEE_RPC_CMD_SHM_FREE = 7;
inline constexpr uint32_t OPTEE_RPC_CMD_SUPP_PLUGIN = 12;
inline constexpr uint32_t OPTEE_RPC_NOTIFICATION_WAIT = 0;
inline constexpr uint32_t OPTEE_RPC_NOTIFICATION_SEND = 1;
inline constexpr uint32_t OPTEE_RPC_SHM_TYPE_APPL = 0;
inline constexpr uint32_t OPTEE_RPC_SHM_TYPE_KERNEL = 1;
// Memory shared with the client application (optee_os optee_rpc_cmd.h; used by the OCALL series).
inline constexpr uint32_t OPTEE_RPC_SHM_TYPE_CLIENT_APPL = 2;
// The OCALL RPC of the unmerged in-thread OCALL series (reference §7.1). Its number is not in the
// reference: teebench assigns one above every upstream RPC command.
inline constexpr uint32_t OPTEE_RPC_CMD_OCALL = 0x4f43;

// Result codes the two worlds exchange in optee_msg_arg.ret (the GlobalPlatform values).
inline constexpr uint32_t kTeeSuccess = 0;
inline constexpr uint32_t kTeeErrorGeneric = 0xffff0000u;
inline constexpr uint32_t kTeeErrorBadParameters = 0xffff0006u;
inline constexpr uint32_t kTeeErrorItemNotFound = 0xffff0008u;
inline constexpr uint32_t kTeeErrorNotImplemented = 0xffff0009u;
inline constexpr uint32_t kTeeErrorNotSupported = 0xffff000au;
inline constexpr uint32_t kTeeErrorOutOfMemory = 0xffff000cu;
inline constexpr uint32_t kTeeErrorBusy = 0xffff000du;
inline constexpr uint32_t kTeeErrorCommunication = 0xffff000eu;
inline constexpr uint32_t kTeeErrorShortBuffer = 0xffff0010u;
inline constexpr uint32_t kTeeErrorTargetDead = 0xffff3024u;
inline constexpr uint32_t kTeeOriginApi = 1;
inline constexpr uint32_t kTeeOriginComms = 2;
inline constexpr uint32_t kTeeOriginTee = 3;
inline constexpr uint32_t kTeeOriginTrustedApp = 4;

}  // namespace emu::abi
