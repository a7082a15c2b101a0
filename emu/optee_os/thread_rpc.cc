#include "emu/optee_os/thread_rpc.h"

#include <cstring>

#include "emu/abi/optee_smc.h"
#include "emu/optee_os/optee_os.h"
#include "emu/platform/counter.h"

namespace emu::optee_os {

using namespace emu::abi;

namespace {

// The RPC argument of the current call, allocating one by RPC_ALLOC if the normal world did not
// supply it. Returns nullptr if the normal world could not allocate.
uint8_t* rpc_arg(Thread* t, uint64_t* cookie) {
  *cookie = 0;
  if (t->rpc_arg) return t->rpc_arg;
  if (!t->cached_rpc_arg) {
    OpteeOs& os = OpteeOs::current();
    const auto rv = t->pool->rpc(rpc_val(OPTEE_SMC_RPC_FUNC_ALLOC),
                                 optee_msg_get_arg_size(kThreadRpcMaxNumParams));
    const uint64_t pa = (rv[0] << 32) | (rv[1] & 0xffffffffu);
    const uint64_t ck = (rv[2] << 32) | (rv[3] & 0xffffffffu);
    if (pa == 0) return nullptr;
    if ((pa & (platform::kPageSize - 1)) ||
        !(os.mem().in_ns_ddr(pa, platform::kPageSize) || os.mem().in_carveout(pa, 160))) {
      t->pool->rpc(rpc_val(OPTEE_SMC_RPC_FUNC_FREE), ck >> 32, ck & 0xffffffffu);
      return nullptr;
    }
    t->cached_rpc_arg = os.mem().va(pa);
    t->cached_rpc_cookie = ck;
  }
  *cookie = t->cached_rpc_cookie;
  return t->cached_rpc_arg;
}

}  // namespace

uint32_t thread_rpc_cmd(uint32_t cmd, std::span<OpteeMsgParam> params) {
  Thread* t = ThreadPool::current();
  uint64_t cookie = 0;
  uint8_t* buf = rpc_arg(t, &cookie);
  if (!buf || params.size() > kThreadRpcMaxNumParams) return kTeeErrorOutOfMemory;
  auto* arg = reinterpret_cast<OpteeMsgArg*>(buf);
  std::memset(arg, 0, optee_msg_get_arg_size(params.size()));
  arg->cmd = cmd;
  arg->ret = kTeeErrorGeneric;  // an unanswered RPC fails safe
  arg->num_params = static_cast<uint32_t>(params.size());
  std::memcpy(arg + 1, params.data(), params.size_bytes());
  t->pool->rpc(rpc_val(OPTEE_SMC_RPC_FUNC_CMD), cookie >> 32, cookie & 0xffffffffu);
  std::memcpy(params.data(), arg + 1, params.size_bytes());
  return arg->ret;
}

uint32_t thread_rpc_notification(uint32_t op, uint64_t key) {
  OpteeMsgParam p{};
  p.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  p.u.value = {op, key, 0};
  return thread_rpc_cmd(OPTEE_RPC_CMD_NOTIFICATION, {&p, 1});
}

uint32_t thread_rpc_suspend(uint32_t ms) {
  OpteeMsgParam p{};
  p.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT;
  p.u.value = {ms, 0, 0};
  return thread_rpc_cmd(OPTEE_RPC_CMD_SUSPEND, {&p, 1});
}

void thread_rpc_foreign_intr() {
  ThreadPool::current()->pool->rpc(rpc_val(OPTEE_SMC_RPC_FUNC_FOREIGN_INTR));
}

void thread_check_foreign_intr() {
  Thread* t = ThreadPool::current();
  if (!t) return;
  const uint64_t tick_ns = uint64_t{OpteeOs::current().config().foreign_intr_tick_us} * 1000;
  if (tick_ns && emu::platform::counter_ns() - t->entered_ns >= tick_ns) thread_rpc_foreign_intr();
}

void thread_rpc_release_arg() {
  Thread* t = ThreadPool::current();
  if (!t->cached_rpc_arg || Partition::current().shm_cache_enabled()) return;
  const uint64_t ck = t->cached_rpc_cookie;
  t->cached_rpc_arg = nullptr;
  t->cached_rpc_cookie = 0;
  t->pool->rpc(rpc_val(OPTEE_SMC_RPC_FUNC_FREE), ck >> 32, ck & 0xffffffffu);
}

}  // namespace emu::optee_os
