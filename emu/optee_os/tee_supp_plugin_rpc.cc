#include "emu/optee_os/tee_supp_plugin_rpc.h"

#include <algorithm>
#include <cstring>

#include "emu/abi/optee_msg.h"
#include "emu/optee_os/rpc_payload.h"
#include "emu/optee_os/thread_rpc.h"

namespace emu::optee_os {

using namespace emu::abi;

namespace {

constexpr uint64_t kSuppPluginInvoke = 0;  // OPTEE_RPC_SUPP_PLUGIN_INVOKE
}  // namespace

TEE_Result tee_invoke_supp_plugin_rpc(const TEE_UUID& uuid, uint32_t cmd, uint32_t sub_cmd,
                                      void* buf, size_t len, size_t* outlen) {
  if ((buf == nullptr) != (len == 0)) return TEE_ERROR_BAD_PARAMETERS;
  RpcPayload payload(OPTEE_RPC_SHM_TYPE_APPL);
  if (len) {
    if (TEE_Result r = payload.alloc(len); r != TEE_SUCCESS) return r;
    std::memcpy(payload.va(), buf, len);
  }
  uint32_t w[4];
  static_assert(sizeof(w) == sizeof(TEE_UUID));
  std::memcpy(w, &uuid, sizeof(w));
  OpteeMsgParam p[4] = {};
  p[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  p[0].u.value = {kSuppPluginInvoke, w[0], w[1]};
  p[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  p[1].u.value = {w[2], w[3], cmd};
  p[2].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
  p[2].u.value = {sub_cmd, 0, 0};
  p[3].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INOUT;
  p[3].u.rmem = {0, len, len ? payload.cookie() : 0};
  const uint32_t res = thread_rpc_cmd(OPTEE_RPC_CMD_SUPP_PLUGIN, p);
  if (res != kTeeSuccess) return res;
  const size_t out = static_cast<size_t>(p[2].u.value.b);
  if (len) std::memcpy(buf, payload.va(), std::min(out, len));
  if (outlen) *outlen = out;
  return TEE_SUCCESS;
}

}  // namespace emu::optee_os
