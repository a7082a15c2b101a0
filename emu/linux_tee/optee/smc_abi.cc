// The SMC ABI side of the driver (Linux drivers/tee/optee/smc_abi.c): the call loop with its RPC
// exits, parameter translation to optee_msg, and registration of non-contiguous page lists.
#include <cerrno>
#include <cstring>

#include "emu/abi/optee_smc.h"
#include "emu/linux_tee/optee/optee_private.h"

namespace emu::linux_tee::optee {

using namespace emu::abi;
using platform::kPageSize;

void Optee::call_begin(const MsgArg& m, bool system_thread, CallState* cs) {
  cs->m = m;
  platform::SmcRegs& call = cs->call;
  if (info_.rpc_param_count)
    cs->rpc_arg = reinterpret_cast<OpteeMsgArg*>(reinterpret_cast<uint8_t*>(m.arg) +
                                                 optee_msg_get_arg_size(m.arg->num_params));
  if (info_.rpc_param_count && (m.shm->flags & TEE_SHM_DYNAMIC)) {
    const uint64_t cookie = m.shm->cookie();
    call.a = {OPTEE_SMC_CALL_WITH_REGD_ARG, cookie >> 32, cookie & 0xffffffffu, m.offs};
  } else {
    const platform::paddr_t pa = m.shm->paddr + m.offs;
    call.a[0] = info_.rpc_param_count ? OPTEE_SMC_CALL_WITH_RPC_ARG : OPTEE_SMC_CALL_WITH_ARG;
    call.a[1] = pa >> 32;
    call.a[2] = pa & 0xffffffffu;
  }
  cq_->wait_init(cs->w, system_thread);
  cs->regs = call;
  cs->started = true;
}

OpteeMsgArg* Optee::rpc_cmd_arg(const CallState& cs) const {
  if (cs.rpc_arg) return cs.rpc_arg;
  auto* shm = reinterpret_cast<TeeShm*>((cs.regs.a[1] << 32) | (cs.regs.a[2] & 0xffffffffu));
  return reinterpret_cast<OpteeMsgArg*>(shm->kaddr);
}

namespace {

// What only an OCALL-capable client can answer: the OCALL itself, and the buffers it shares.
bool is_ocall_request(const OpteeMsgArg* a) {
  const auto* p = reinterpret_cast<const OpteeMsgParam*>(a + 1);
  if (a->cmd == OPTEE_RPC_CMD_OCALL) return true;
  if ((a->cmd == OPTEE_RPC_CMD_SHM_ALLOC || a->cmd == OPTEE_RPC_CMD_SHM_FREE) &&
      a->num_params == 1 && p[0].u.value.a == OPTEE_RPC_SHM_TYPE_CLIENT_APPL)
    return true;
  return false;
}

}  // namespace

Optee::Step Optee::call_run(TeeContext* ctx, CallState* cs, bool ocall, OpteeMsgArg** req,
                            int* rc) {
  for (;;) {
    conduit_.smc(cs->regs);
    const uint64_t a0 = cs->regs.a[0];
    if (a0 == OPTEE_SMC_RETURN_ETHREAD_LIMIT) {
      // Out of secure threads: sleep until another call completes, then retry the same call.
      cq_->wait_for_completion(cs->w);
      cs->regs = cs->call;
    } else if (return_is_rpc(a0)) {
      if (rpc_func(a0) == OPTEE_SMC_RPC_FUNC_CMD) {
        OpteeMsgArg* a = rpc_cmd_arg(*cs);
        if (is_ocall_request(a)) {
          if (ocall) {
            *req = a;
            return Step::kOcall;  // the secure thread stays suspended in this RPC
          }
          // Nobody to ask: OP-TEE hears that the request is not supported.
          a->ret = kTeeErrorNotSupported;
          a->ret_origin = kTeeOriginComms;
          cs->regs.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
          continue;
        }
      }
      handle_rpc(ctx, cs->regs, cs->rpc_arg, &cs->pages_lists);
    } else {
      *rc = a0 == OPTEE_SMC_RETURN_OK ? 0 : -EIO;
      return Step::kDone;
    }
  }
}

void Optee::call_end(CallState* cs) {
  for (TeeShm* s : cs->pages_lists) teedev_->shm_put(s);
  cs->pages_lists.clear();
  cq_->wait_final(cs->w);
  cs->started = false;
}

int Optee::do_call_with_arg(TeeContext* ctx, const MsgArg& m, bool system_thread) {
  CallState cs;
  call_begin(m, system_thread, &cs);
  OpteeMsgArg* req = nullptr;
  int rc = 0;
  call_run(ctx, &cs, false, &req, &rc);
  call_end(&cs);
  return rc;
}

int Optee::to_msg_param(OpteeMsgParam* mp, const TeeParam* params, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const TeeParam& p = params[i];
    OpteeMsgParam& out = mp[i];
    std::memset(&out, 0, sizeof(out));
    switch (p.attr) {  // any META bit lands in default
      case TEE_IOCTL_PARAM_ATTR_TYPE_NONE:
        out.attr = OPTEE_MSG_ATTR_TYPE_NONE;
        break;
      case TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT:
        out.attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT + p.attr - TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT;
        out.u.value = {p.value.a, p.value.b, p.value.c};
        break;
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_OUTPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT: {
        const uint64_t dir = p.attr - TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT;
        const TeeShm* shm = p.memref.shm;
        if (shm && (shm->flags & TEE_SHM_DYNAMIC)) {
          // Registered memory travels by cookie and offset.
          out.attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT + dir;
          out.u.rmem = {p.memref.offs, p.memref.size, shm->cookie()};
        } else {
          // Carve-out memory (or a NULL memref) travels by physical address.
          out.attr = OPTEE_MSG_ATTR_TYPE_TMEM_INPUT + dir;
          out.u.tmem = {shm ? shm->paddr + p.memref.offs : 0, p.memref.size,
                        shm ? shm->cookie() : 0};
        }
        break;
      }
      default:
        return -EINVAL;
    }
  }
  return 0;
}

void Optee::from_msg_param(TeeParam* params, size_t n, const OpteeMsgParam* mp) {
  for (size_t i = 0; i < n; ++i) {
    switch (mp[i].attr & OPTEE_MSG_ATTR_TYPE_MASK) {
      case OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT:
      case OPTEE_MSG_ATTR_TYPE_VALUE_INOUT:
        params[i].value = {mp[i].u.value.a, mp[i].u.value.b, mp[i].u.value.c};
        break;
      case OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT:
      case OPTEE_MSG_ATTR_TYPE_RMEM_INOUT:
      case OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT:
      case OPTEE_MSG_ATTR_TYPE_TMEM_INOUT:
        params[i].memref.size = mp[i].u.tmem.size;
        break;
      default:
        break;
    }
  }
}

std::vector<platform::paddr_t> Optee::build_pages_list(const TeeShm& shm, TeeShm** list_shm) {
  // optee_fill_pages_list: 511 entries per 4 KiB list page, the last word links the next page.
  const size_t n = shm.pages.size();
  const size_t list_pages = (n + kPagesListEntries - 1) / kPagesListEntries;
  int err = 0;
  *list_shm =
      teedev_->shm_alloc(driver_ctx_, list_pages * kPageSize, TEE_SHM_PRIV | TEE_SHM_POOL, &err);
  if (!*list_shm) return {};
  const auto& lp = (*list_shm)->pages;
  for (size_t i = 0; i < n; ++i) {
    uint8_t* page = mem_.va(lp[i / kPagesListEntries]);
    const uint64_t pa = shm.pages[i];
    std::memcpy(page + (i % kPagesListEntries) * sizeof(uint64_t), &pa, sizeof(pa));
  }
  for (size_t p = 0; p + 1 < list_pages; ++p) {
    const uint64_t next = lp[p + 1];
    std::memcpy(mem_.va(lp[p]) + kPagesListEntries * sizeof(uint64_t), &next, sizeof(next));
  }
  return lp;
}

int Optee::register_pages(TeeContext* ctx, TeeShm* shm, const MsgArg* carrier) {
  TeeShm* list = nullptr;
  const auto lp = build_pages_list(*shm, &list);
  if (!list) return -ENOMEM;
  MsgArg m;
  if (carrier) {
    m = *carrier;
    std::memset(m.arg, 0, optee_msg_get_arg_size(1));
    m.arg->num_params = 1;
  } else if (int rc = get_msg_arg(ctx, 1, &m)) {
    teedev_->shm_put(list);
    return rc;
  }
  auto* mp = reinterpret_cast<OpteeMsgParam*>(m.arg + 1);
  m.arg->cmd = OPTEE_MSG_CMD_REGISTER_SHM;
  mp[0].attr = OPTEE_MSG_ATTR_TYPE_TMEM_OUTPUT | OPTEE_MSG_ATTR_NONCONTIG;
  mp[0].u.tmem = {lp[0] | shm->offset, shm->size, shm->cookie()};
  int rc = do_call_with_arg(ctx, m);
  if (rc == 0 && m.arg->ret != kTeeSuccess) rc = -EINVAL;
  if (rc == 0) shm->sec_world_id = shm->cookie();
  if (!carrier) free_msg_arg(m);
  teedev_->shm_put(list);  // the list is only needed during the call
  return rc ? -EINVAL : 0;
}

int Optee::shm_register(TeeContext* ctx, TeeShm* shm) {
  if (!(info_.sec_caps & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM)) return -EINVAL;
  // tee-supplicant's memory (the privileged device) is not registered with OP-TEE: an RPC reply
  // hands OP-TEE its page list instead (Linux optee_shm_register_supp). Registering it would take
  // a secure thread, and a load whose threads are all suspended in RPCs would then wait for one
  // for ever (docs/targets.md, "Supplicant memory").
  if (ctx->dev->privileged()) return 0;
  return register_pages(ctx, shm);
}

int Optee::shm_unregister(TeeContext* ctx, TeeShm* shm) {
  MsgArg m;
  if (int rc = get_msg_arg(ctx, 1, &m)) return rc;
  auto* mp = reinterpret_cast<OpteeMsgParam*>(m.arg + 1);
  m.arg->cmd = OPTEE_MSG_CMD_UNREGISTER_SHM;
  mp[0].attr = OPTEE_MSG_ATTR_TYPE_RMEM_INPUT;
  mp[0].u.rmem.shm_ref = shm->cookie();
  int rc = do_call_with_arg(ctx, m);
  if (rc == 0 && m.arg->ret != kTeeSuccess) rc = -EINVAL;
  free_msg_arg(m);
  shm->sec_world_id = 0;
  return rc;
}

}  // namespace emu::linux_tee::optee
