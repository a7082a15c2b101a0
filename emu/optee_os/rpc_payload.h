// A buffer the normal world lends the secure world for one exchange (thread_rpc_alloc_payload and
// friends in optee_os thread_optee_smc.c): obtained by RPC SHM_ALLOC of a given type, mapped for
// this use, given back by SHM_FREE when the object goes.
#pragma once

#include <cstdint>
#include <memory>

#include <tee_internal_api.h>

#include "emu/optee_os/mobj_dyn_shm.h"

namespace emu::optee_os {

class RpcPayload {
 public:
  // `type`: OPTEE_RPC_SHM_TYPE_APPL (tee-supplicant) or _CLIENT_APPL (the calling client).
  explicit RpcPayload(uint32_t type) : type_(type) {}
  ~RpcPayload();
  RpcPayload(const RpcPayload&) = delete;
  RpcPayload& operator=(const RpcPayload&) = delete;
  TEE_Result alloc(size_t size);
  uint8_t* va() const { return mobj_->va(0); }
  uint64_t cookie() const { return cookie_; }

 private:
  TEE_Result free_unmapped();
  void free_rpc();
  uint32_t type_;
  std::shared_ptr<RegShmMobj> mobj_;
  uint64_t cookie_ = 0;
};

}  // namespace emu::optee_os
