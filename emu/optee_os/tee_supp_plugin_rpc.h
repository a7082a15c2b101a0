// TA -> tee-supplicant plugin calls (optee_os core/tee/tee_supp_plugin_rpc.c): the payload goes in
// an application buffer obtained by RPC SHM_ALLOC, the call is RPC CMD SUPP_PLUGIN with four
// params, the buffer is given back with SHM_FREE. One secure thread stays suspended throughout.
#pragma once

#include <tee_internal_api.h>

#include <cstddef>
#include <cstdint>

namespace emu::optee_os {

TEE_Result tee_invoke_supp_plugin_rpc(const TEE_UUID& uuid, uint32_t cmd, uint32_t sub_cmd,
                                      void* buf, size_t len, size_t* outlen);

}  // namespace emu::optee_os
