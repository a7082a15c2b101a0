// RPCs from the secure world (Linux drivers/tee/optee/smc_abi.c optee_handle_rpc, rpc.c).
// The kernel serves GET_TIME, NOTIFICATION, SUSPEND and SHM_ALLOC/FREE itself; everything else
// belongs to tee-supplicant.
#include <time.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "emu/abi/optee_smc.h"
#include "emu/linux_tee/optee/optee_private.h"

namespace emu::linux_tee::optee {

using namespace emu::abi;

namespace {

OpteeMsgParam* params_of(OpteeMsgArg* arg) { return reinterpret_cast<OpteeMsgParam*>(arg + 1); }

bool one_param(const OpteeMsgArg* arg, uint64_t attr) {
  return arg->num_params == 1 && reinterpret_cast<const OpteeMsgParam*>(arg + 1)->attr == attr;
}

}  // namespace

void Optee::rpc_shm_alloc(OpteeMsgArg* arg, std::vector<TeeShm*>* lists) {
  OpteeMsgParam* p = params_of(arg);
  if (arg->num_params != 1 || p[0].attr != OPTEE_MSG_ATTR_TYPE_VALUE_INPUT) {
    arg->ret = kTeeErrorBadParameters;
    return;
  }
  const uint64_t type = p[0].u.value.a;
  const uint64_t size = p[0].u.value.b;
  if (type != OPTEE_RPC_SHM_TYPE_KERNEL) {
    // APPL buffers come from tee-supplicant, which this device does not have attached.
    arg->ret = kTeeErrorOutOfMemory;
    return;
  }
  int err = 0;
  TeeShm* shm = teedev_->shm_alloc(driver_ctx_, size, TEE_SHM_PRIV | TEE_SHM_POOL, &err);
  if (!shm) {
    arg->ret = kTeeErrorOutOfMemory;
    return;
  }
  std::memset(&p[0], 0, sizeof(p[0]));
  if (pool_->is_static()) {
    p[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
    p[0].u.tmem = {shm->paddr, size, shm->cookie()};
  } else {
    TeeShm* list = nullptr;
    const auto lp = build_pages_list(*shm, &list);
    if (!list) {
      teedev_->shm_put(shm);
      arg->ret = kTeeErrorOutOfMemory;
      return;
    }
    lists->push_back(list);  // OP-TEE may read the list any time until the call ends
    p[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG;
    p[0].u.tmem = {lp[0] | shm->offset, size, shm->cookie()};
  }
  arg->ret = kTeeSuccess;
}

void Optee::rpc_shm_free(OpteeMsgArg* arg) {
  OpteeMsgParam* p = params_of(arg);
  if (!one_param(arg, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT) ||
      p[0].u.value.a != OPTEE_RPC_SHM_TYPE_KERNEL) {
    arg->ret = kTeeErrorBadParameters;
    return;
  }
  teedev_->shm_put(reinterpret_cast<TeeShm*>(p[0].u.value.b));
  arg->ret = kTeeSuccess;
}

void Optee::handle_rpc_cmd(TeeContext*, OpteeMsgArg* arg, std::vector<TeeShm*>* lists) {
  if (arg->num_params > (info_.rpc_param_count ? info_.rpc_param_count : kThreadRpcMaxNumParams)) {
    arg->ret = kTeeErrorBadParameters;
    return;
  }
  OpteeMsgParam* p = params_of(arg);
  switch (arg->cmd) {
    case OPTEE_RPC_CMD_GET_TIME: {
      if (!one_param(arg, OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT)) {
        arg->ret = kTeeErrorBadParameters;
        break;
      }
      timespec ts{};
      clock_gettime(CLOCK_REALTIME, &ts);
      p[0].u.value = {static_cast<uint64_t>(ts.tv_sec), static_cast<uint64_t>(ts.tv_nsec), 0};
      arg->ret = kTeeSuccess;
      break;
    }
    case OPTEE_RPC_CMD_NOTIFICATION:
      if (!one_param(arg, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT)) {
        arg->ret = kTeeErrorBadParameters;
        break;
      }
      if (p[0].u.value.a == OPTEE_RPC_NOTIFICATION_WAIT)
        arg->ret = notif_wait(p[0].u.value.b) ? kTeeErrorBusy : kTeeSuccess;
      else if (p[0].u.value.a == OPTEE_RPC_NOTIFICATION_SEND)
        arg->ret = notif_send(p[0].u.value.b) ? kTeeErrorBadParameters : kTeeSuccess;
      else
        arg->ret = kTeeErrorBadParameters;
      break;
    case OPTEE_RPC_CMD_SUSPEND:
      if (!one_param(arg, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT)) {
        arg->ret = kTeeErrorBadParameters;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(p[0].u.value.a));  // msleep
      arg->ret = kTeeSuccess;
      break;
    case OPTEE_RPC_CMD_SHM_ALLOC:
      rpc_shm_alloc(arg, lists);
      break;
    case OPTEE_RPC_CMD_SHM_FREE:
      rpc_shm_free(arg);
      break;
    default:
      // A request for tee-supplicant with none attached to this device: fails as upstream does
      // for a context that may not wait for it.
      arg->ret = kTeeErrorCommunication;
      break;
  }
}

void Optee::handle_rpc(TeeContext* ctx, platform::SmcRegs& regs, OpteeMsgArg* rpc_arg,
                       std::vector<TeeShm*>* lists) {
  switch (rpc_func(regs.a[0])) {
    case OPTEE_SMC_RPC_FUNC_ALLOC: {
      int err = 0;
      TeeShm* shm = teedev_->shm_alloc(driver_ctx_, regs.a[1], TEE_SHM_PRIV | TEE_SHM_POOL, &err);
      const uint64_t pa = shm ? shm->paddr : 0;
      const uint64_t cookie = shm ? shm->cookie() : 0;
      regs.a[1] = pa >> 32;
      regs.a[2] = pa & 0xffffffffu;
      regs.a[4] = cookie >> 32;
      regs.a[5] = cookie & 0xffffffffu;
      break;
    }
    case OPTEE_SMC_RPC_FUNC_FREE:
      teedev_->shm_put(reinterpret_cast<TeeShm*>((regs.a[1] << 32) | (regs.a[2] & 0xffffffffu)));
      break;
    case OPTEE_SMC_RPC_FUNC_FOREIGN_INTR:
      // The interrupt that made the secure world exit has been served; just go back in.
      break;
    case OPTEE_SMC_RPC_FUNC_CMD: {
      OpteeMsgArg* arg = rpc_arg;
      if (!arg) {
        auto* shm = reinterpret_cast<TeeShm*>((regs.a[1] << 32) | (regs.a[2] & 0xffffffffu));
        arg = reinterpret_cast<OpteeMsgArg*>(shm->kaddr);
      }
      handle_rpc_cmd(ctx, arg, lists);
      break;
    }
    default:
      break;
  }
  regs.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;  // a3 (thread id) is echoed unchanged
}

}  // namespace emu::linux_tee::optee
