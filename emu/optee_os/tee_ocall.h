// TA -> client calls of the in-thread OCALL series (optee_os RFC #3673, "OCALL PTA"; reference
// §7.1): the TA's TEE_InvokeCACommand becomes RPC CMD OCALL on the calling secure thread, with
// params[0] VALUE_INOUT {a = command; b, c = the client's result and origin on return},
// params[1] VALUE_INPUT {the TA's UUID}, then the OCALL's own params. Memrefs travel in buffers the
// client lends for the call (RPC SHM_ALLOC/SHM_FREE of type CLIENT_APPL). The RPC argument holds
// THREAD_RPC_MAX_NUM_PARAMS = 4 params, so an OCALL carries at most two of its own.
#pragma once

#include <tee_internal_api.h>

#include <cstdint>

namespace emu::optee_os {

inline constexpr uint32_t kOcallMaxParams = 2;

TEE_Result tee_ocall_rpc(const TEE_UUID& ta, uint32_t cmd, uint32_t param_types, TEE_Param* params,
                         uint32_t* origin);

}  // namespace emu::optee_os
