#include "emu/optee_os/tee_supp_plugin_rpc.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "emu/abi/optee_msg.h"
#include "emu/optee_os/msg_param.h"
#include "emu/optee_os/optee_os.h"
#include "emu/optee_os/thread_rpc.h"

namespace emu::optee_os {

using namespace emu::abi;

namespace {

constexpr uint64_t kSuppPluginInvoke = 0;  // OPTEE_RPC_SUPP_PLUGIN_INVOKE

// An application buffer from the normal world (thread_rpc_alloc_payload), mapped for this use.
class Payload {
 public:
  ~Payload() {
    if (!mobj_) return;
    mobj_->dec_map();
    Partition::current().reg_shm().drop_temporary(mobj_);
    OpteeMsgParam p{};
    p.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
    p.u.value = {OPTEE_RPC_SHM_TYPE_APPL, cookie_, 0};
    thread_rpc_cmd(OPTEE_RPC_CMD_SHM_FREE, {&p, 1});
  }
  TEE_Result alloc(size_t size) {
    OpteeMsgParam p{};
    p.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
    p.u.value = {OPTEE_RPC_SHM_TYPE_APPL, size, 0};
    if (thread_rpc_cmd(OPTEE_RPC_CMD_SHM_ALLOC, {&p, 1}) != kTeeSuccess)
      return TEE_ERROR_OUT_OF_MEMORY;
    const uint64_t t = p.attr & OPTEE_MSG_ATTR_TYPE_MASK;
    if (t != OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT || p.u.tmem.size < size)
      return TEE_ERROR_OUT_OF_MEMORY;
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
      for (uint64_t pa = p.u.tmem.buf_ptr & ~(platform::kPageSize - 1);
           pa < p.u.tmem.buf_ptr + size; pa += platform::kPageSize)
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
  uint8_t* va() const { return mobj_->va(0); }
  uint64_t cookie() const { return cookie_; }

 private:
  TEE_Result free_unmapped() {
    OpteeMsgParam p{};
    p.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
    p.u.value = {OPTEE_RPC_SHM_TYPE_APPL, cookie_, 0};
    thread_rpc_cmd(OPTEE_RPC_CMD_SHM_FREE, {&p, 1});
    return TEE_ERROR_OUT_OF_MEMORY;
  }
  std::shared_ptr<RegShmMobj> mobj_;
  uint64_t cookie_ = 0;
};

}  // namespace

TEE_Result tee_invoke_supp_plugin_rpc(const TEE_UUID& uuid, uint32_t cmd, uint32_t sub_cmd,
                                      void* buf, size_t len, size_t* outlen) {
  if ((buf == nullptr) != (len == 0)) return TEE_ERROR_BAD_PARAMETERS;
  Payload payload;
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
