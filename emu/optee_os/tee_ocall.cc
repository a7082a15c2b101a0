#include "emu/optee_os/tee_ocall.h"

#include <cstring>
#include <memory>

#include "emu/abi/optee_msg.h"
#include "emu/optee_os/rpc_payload.h"
#include "emu/optee_os/thread_rpc.h"

namespace emu::optee_os {

using namespace emu::abi;

TEE_Result tee_ocall_rpc(const TEE_UUID& ta, uint32_t cmd, uint32_t param_types, TEE_Param* params,
                         uint32_t* origin) {
  *origin = TEE_ORIGIN_COMMS;
  OpteeMsgParam p[2 + kOcallMaxParams] = {};
  std::unique_ptr<RpcPayload> payload[kOcallMaxParams];
  size_t n = 0;
  for (size_t i = 0; i < 4; ++i) {
    const uint32_t t = TEE_PARAM_TYPE_GET(param_types, i);
    if (t == TEE_PARAM_TYPE_NONE) continue;
    if (i >= kOcallMaxParams) return TEE_ERROR_BAD_PARAMETERS;
    n = i + 1;
    OpteeMsgParam& m = p[2 + i];
    switch (t) {
      case TEE_PARAM_TYPE_VALUE_INPUT:
      case TEE_PARAM_TYPE_VALUE_OUTPUT:
      case TEE_PARAM_TYPE_VALUE_INOUT:
        m.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT + (t - TEE_PARAM_TYPE_VALUE_INPUT);
        m.u.value = {params[i].value.a, params[i].value.b, 0};
        break;
      case TEE_PARAM_TYPE_MEMREF_INPUT:
      case TEE_PARAM_TYPE_MEMREF_OUTPUT:
      case TEE_PARAM_TYPE_MEMREF_INOUT: {
        const size_t size = params[i].memref.size;
        m.attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT + (t - TEE_PARAM_TYPE_MEMREF_INPUT);
        if (size) {
          payload[i] = std::make_unique<RpcPayload>(OPTEE_RPC_SHM_TYPE_CLIENT_APPL);
          if (TEE_Result r = payload[i]->alloc(size); r != TEE_SUCCESS) return r;
          if (t != TEE_PARAM_TYPE_MEMREF_OUTPUT)
            std::memcpy(payload[i]->va(), params[i].memref.buffer, size);
          m.u.rmem = {0, size, payload[i]->cookie()};
        }
        break;
      }
      default:
        return TEE_ERROR_BAD_PARAMETERS;
    }
  }
  p[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INOUT;
  p[0].u.value = {cmd, 0, 0};
  p[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  std::memcpy(&p[1].u.value, &ta, sizeof(ta));
  p[1].u.value.c = 0;
  const uint32_t res = thread_rpc_cmd(OPTEE_RPC_CMD_OCALL, {p, 2 + n});
  if (res != kTeeSuccess) return res;  // the OCALL never reached the client's handler
  *origin = static_cast<uint32_t>(p[0].u.value.c);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t t = TEE_PARAM_TYPE_GET(param_types, i);
    const OpteeMsgParam& m = p[2 + i];
    if (t == TEE_PARAM_TYPE_VALUE_OUTPUT || t == TEE_PARAM_TYPE_VALUE_INOUT) {
      params[i].value.a = static_cast<uint32_t>(m.u.value.a);
      params[i].value.b = static_cast<uint32_t>(m.u.value.b);
    } else if ((t == TEE_PARAM_TYPE_MEMREF_OUTPUT || t == TEE_PARAM_TYPE_MEMREF_INOUT) &&
               payload[i]) {
      const size_t out = std::min<size_t>(m.u.rmem.size, params[i].memref.size);
      std::memcpy(params[i].memref.buffer, payload[i]->va(), out);
      params[i].memref.size = static_cast<uint32_t>(m.u.rmem.size);
    }
  }
  return static_cast<TEE_Result>(p[0].u.value.b);
}

}  // namespace emu::optee_os
