#include "emu/optee_os/rpc_payload.h"

#include <vector>

#include "emu/abi/optee_msg.h"
#include "emu/optee_os/msg_param.h"
#include "emu/optee_os/optee_os.h"
#include "emu/optee_os/thread_rpc.h"

namespace emu::optee_os {

using namespace emu::abi;

void RpcPayload::free_rpc() {
  OpteeMsgParam p{};
  p.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  p.u.value = {type_, cookie_, 0};
  thread_rpc_cmd(OPTEE_RPC_CMD_SHM_FREE, {&p, 1});
}

RpcPayload::~RpcPayload() {
  if (!mobj_) return;
  mobj_->dec_map();
  Partition::current().reg_shm().drop_temporary(mobj_);
  free_rpc();
}

TEE_Result RpcPayload::free_unmapped() {
  free_rpc();
  return TEE_ERROR_OUT_OF_MEMORY;
}

TEE_Result RpcPayload::alloc(size_t size) {
  OpteeMsgParam p{};
  p.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  p.u.value = {type_, size, 0};
  if (thread_rpc_cmd(OPTEE_RPC_CMD_SHM_ALLOC, {&p, 1}) != kTeeSuccess)
    return TEE_ERROR_OUT_OF_MEMORY;
  const uint64_t t = p.attr & OPTEE_MSG_ATTR_TYPE_MASK;
  if (t != OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT || p.u.tmem.size < size) return TEE_ERROR_OUT_OF_MEMORY;
  cookie_ = p.u.tmem.shm_ref;
  OpteeOs& os = OpteeOs::current();
  std::vector<platform::paddr_t> pages;
  size_t offs = 0;
  if (p.attr & OPTEE_MSG_ATTR_NONCONTIG) {
    if (msg_param_extract_pages(os.mem(), p.u.tmem.buf_ptr, size, &pages, &offs) != kTeeSuccess)
      return free_unmapped();
  } else {
    // A contiguous buffer in the carve-out.
    if (!os.mem().in_carveout(p.u.tmem.buf_ptr, size)) return free_unmapped();
    offs = p.u.tmem.buf_ptr & (platform::kPageSize - 1);
    for (uint64_t pa = p.u.tmem.buf_ptr & ~(platform::kPageSize - 1); pa < p.u.tmem.buf_ptr + size;
         pa += platform::kPageSize)
      pages.push_back(pa);
  }
  uint32_t res = 0;
  auto m = Partition::current().reg_shm().make_temporary(std::move(pages), offs, size, &res);
  if (!m) return free_unmapped();
  if (m->inc_map() != kTeeSuccess) {
    Partition::current().reg_shm().drop_temporary(m);
    return free_unmapped();
  }
  mobj_ = std::move(m);
  return TEE_SUCCESS;
}

}  // namespace emu::optee_os
