// RPCs from the secure world (Linux drivers/tee/optee/smc_abi.c optee_handle_rpc, rpc.c).
// The kernel serves GET_TIME, NOTIFICATION, SUSPEND and kernel SHM_ALLOC/FREE itself; application
// buffers and everything else go to tee-supplicant (supp.h).
#include <time.h>

#include <chrono>
#include <cstring>
#include <thread>

#include <linux/tee.h>

#include "emu/abi/optee_smc.h"
#include "emu/linux_tee/optee/optee_private.h"

namespace emu::linux_tee::optee {

using namespace emu::abi;

namespace {

bool one_param(const OpteeMsgArg* arg, uint64_t attr) {
  return arg->num_params == 1 && reinterpret_cast<const OpteeMsgParam*>(arg + 1)->attr == attr;
}

}  // namespace

bool Optee::shm_to_tmem(TeeShm* shm, uint64_t size, OpteeMsgParam* out,
                        std::vector<TeeShm*>* lists) {
  std::memset(out, 0, sizeof(*out));
  if (pool_->is_static() && !(shm->flags & TEE_SHM_DYNAMIC)) {
    out->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT;
    out->u.tmem = {shm->paddr, size, shm->cookie()};
    return true;
  }
  TeeShm* list = nullptr;
  const auto lp = build_pages_list(*shm, &list);
  if (!list) return false;
  lists->push_back(list);  // OP-TEE may read the list any time until the call ends
  out->attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG;
  out->u.tmem = {lp[0] | shm->offset, size, shm->cookie()};
  return true;
}

void Optee::rpc_shm_alloc(OpteeMsgArg* arg, std::vector<TeeShm*>* lists) {
  OpteeMsgParam* p = params_of(arg);
  if (arg->num_params != 1 || p[0].attr != OPTEE_MSG_ATTR_TYPE_VALUE_INPUT) {
    arg->ret = kTeeErrorBadParameters;
    return;
  }
  const uint64_t type = p[0].u.value.a;
  const uint64_t size = p[0].u.value.b;
  TeeShm* shm = nullptr;
  if (type == OPTEE_RPC_SHM_TYPE_APPL) {
    shm = rpc_shm_alloc_appl(size, arg);
    if (!shm) return;
  } else if (type == OPTEE_RPC_SHM_TYPE_KERNEL) {
    int err = 0;
    shm = teedev_->shm_alloc(driver_ctx_, size, TEE_SHM_PRIV | TEE_SHM_POOL, &err);
    if (!shm) {
      arg->ret = kTeeErrorOutOfMemory;
      return;
    }
  } else {
    arg->ret = kTeeErrorBadParameters;
    return;
  }
  if (!shm_to_tmem(shm, size, &p[0], lists)) {
    teedev_->shm_put(shm);
    arg->ret = kTeeErrorOutOfMemory;
    return;
  }
  arg->ret = kTeeSuccess;
}

// An application buffer: tee-supplicant allocates (and registers) it in its own process and
// names it by shm id; the kernel holds a reference until OP-TEE frees it
// (optee_rpc_cmd_alloc_suppl).
TeeShm* Optee::rpc_shm_alloc_appl(size_t size, OpteeMsgArg* arg) {
  TeeParam p;
  p.attr = TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT;
  p.value = {OPTEE_RPC_SHM_TYPE_APPL, size, 0};
  arg->ret = supp_.thrd_req(OPTEE_RPC_CMD_SHM_ALLOC, 1, &p);
  if (arg->ret != kTeeSuccess) return nullptr;
  TeeShm* shm = nullptr;
  if (TeeContext* sctx = supp_.ctx(); sctx && p.value.c <= INT32_MAX)
    shm = suppdev_->shm_get_from_id(sctx, static_cast<int>(p.value.c));
  if (!shm) arg->ret = kTeeErrorOutOfMemory;
  return shm;
}

void Optee::rpc_shm_free(OpteeMsgArg* arg) {
  OpteeMsgParam* p = params_of(arg);
  if (!one_param(arg, OPTEE_MSG_ATTR_TYPE_VALUE_INPUT) ||
      (p[0].u.value.a != OPTEE_RPC_SHM_TYPE_KERNEL && p[0].u.value.a != OPTEE_RPC_SHM_TYPE_APPL)) {
    arg->ret = kTeeErrorBadParameters;
    return;
  }
  auto* shm = reinterpret_cast<TeeShm*>(p[0].u.value.b);
  if (p[0].u.value.a == OPTEE_RPC_SHM_TYPE_APPL) {
    TeeParam sp;
    sp.attr = TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT;
    sp.value = {OPTEE_RPC_SHM_TYPE_APPL, static_cast<uint64_t>(shm->id), 0};
    supp_.thrd_req(OPTEE_RPC_CMD_SHM_FREE, 1, &sp);
    suppdev_->shm_put(shm);
  } else {
    teedev_->shm_put(shm);
  }
  arg->ret = kTeeSuccess;
}

// Anything else is tee-supplicant's (optee_rpc_supp_cmd): values pass as they are, RMEM params as
// memrefs of the shm their cookie names.
void Optee::rpc_supp_cmd(OpteeMsgArg* arg) {
  OpteeMsgParam* mp = params_of(arg);
  TeeParam ps[kThreadRpcMaxNumParams];
  const size_t n = arg->num_params;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t t = mp[i].attr & OPTEE_MSG_ATTR_TYPE_MASK;
    switch (t) {
      case OPTEE_MSG_ATTR_TYPE_NONE:
      case OPTEE_MSG_ATTR_TYPE_VALUE_INPUT:
      case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
      case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
        ps[i].attr = t;  // the same numbers in both ABIs
        ps[i].value = {mp[i].u.value.a, mp[i].u.value.b, mp[i].u.value.c};
        break;
      case OPTEE_MSG_ATTR_TYPE_RMEM_INPUT:
      case OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT:
      case OPTEE_MSG_ATTR_TYPE_RMEM_INOUT:
        ps[i].attr = t - OPTEE_MSG_ATTR_TYPE_RMEM_INPUT + TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT;
        ps[i].memref = {reinterpret_cast<TeeShm*>(mp[i].u.rmem.shm_ref),
                        static_cast<size_t>(mp[i].u.rmem.offs),
                        static_cast<size_t>(mp[i].u.rmem.size)};
        break;
      default:
        arg->ret = kTeeErrorBadParameters;
        return;
    }
  }
  arg->ret = supp_.thrd_req(arg->cmd, n, ps);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t t = mp[i].attr & OPTEE_MSG_ATTR_TYPE_MASK;
    if (t == OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT || t == OPTEE_MSG_ATTR_TYPE_VALUE_INOUT)
      mp[i].u.value = {ps[i].value.a, ps[i].value.b, ps[i].value.c};
    else if (t == OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT || t == OPTEE_MSG_ATTR_TYPE_RMEM_INOUT)
      mp[i].u.rmem.size = ps[i].memref.size;
  }
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
      rpc_supp_cmd(arg);
      break;
  }
}

void Optee::put_rpc_alloc(TeeShm* shm) {
  {
    std::lock_guard g(rpc_alloc_lock_);
    rpc_alloc_.erase(shm);
  }
  teedev_->shm_put(shm);
}

void Optee::handle_rpc(TeeContext* ctx, platform::SmcRegs& regs, OpteeMsgArg* rpc_arg,
                       std::vector<TeeShm*>* lists) {
  switch (rpc_func(regs.a[0])) {
    case OPTEE_SMC_RPC_FUNC_ALLOC: {
      int err = 0;
      TeeShm* shm = teedev_->shm_alloc(driver_ctx_, regs.a[1], TEE_SHM_PRIV | TEE_SHM_POOL, &err);
      const uint64_t pa = shm ? shm->paddr : 0;
      const uint64_t cookie = shm ? shm->cookie() : 0;
      if (shm) {
        std::lock_guard g(rpc_alloc_lock_);
        rpc_alloc_.insert(shm);
      }
      regs.a[1] = pa >> 32;
      regs.a[2] = pa & 0xffffffffu;
      regs.a[4] = cookie >> 32;
      regs.a[5] = cookie & 0xffffffffu;
      break;
    }
    case OPTEE_SMC_RPC_FUNC_FREE:
      put_rpc_alloc(reinterpret_cast<TeeShm*>((regs.a[1] << 32) | (regs.a[2] & 0xffffffffu)));
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
