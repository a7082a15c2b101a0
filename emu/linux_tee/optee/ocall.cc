// The in-thread OCALL protocol (linaro-swg/linux PR #72, never merged; reference §7.1). An
// invocation that carries an OCALL descriptor (a META VALUE_INOUT last parameter) may come back to
// the client before the TA is done: the secure thread stays suspended in its RPC while the client
// serves the request, and the client's next invoke with the descriptor filled in resumes it. The
// buffers an OCALL shares are requested from the client the same way. A session close or the
// context's fd closing cancels pending OCALLs: the secure thread resumes with TARGET_DEAD.
#include <linux/tee.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "emu/abi/optee_smc.h"
#include "emu/linux_tee/optee/optee_private.h"

namespace emu::linux_tee::optee {

using namespace emu::abi;

namespace {

void shm_get(TeeShm* shm) { shm->refcount.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

// Resumes the secure thread with TARGET_DEAD and runs the call to its end, answering for the dead
// client whatever else the TA asks on the way (its buffers are freed, further OCALLs fail).
void Optee::ocall_cancel(TeeContext* ctx, std::unique_ptr<OcallCall> oc) {
  OpteeMsgArg* req = oc->req;
  int rc = 0;
  for (;;) {
    switch (req->cmd) {
      case OPTEE_RPC_CMD_SHM_FREE: {
        auto* shm = reinterpret_cast<TeeShm*>(params_of(req)[0].u.value.b);
        auto it = std::find_if(oc->client_shms.begin(), oc->client_shms.end(),
                               [shm](const auto& kv) { return kv.second == shm; });
        if (it != oc->client_shms.end()) {
          teedev_->shm_put(it->second);
          oc->client_shms.erase(it);
        }
        req->ret = kTeeSuccess;
        break;
      }
      default:
        req->ret = kTeeErrorTargetDead;
        req->ret_origin = kTeeOriginComms;
        break;
    }
    oc->cs.regs.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
    if (call_run(ctx, &oc->cs, true, &req, &rc) == Step::kDone) break;
  }
  call_end(&oc->cs);
  free_msg_arg(oc->cs.m);
  for (TeeShm* s : oc->held) teedev_->shm_put(s);
  for (auto& [id, s] : oc->client_shms) teedev_->shm_put(s);
}

void Optee::ocall_cancel_session(TeeContext* ctx, uint32_t session) {
  auto* data = static_cast<ContextData*>(ctx->data);
  std::vector<std::unique_ptr<OcallCall>> victims;
  {
    std::lock_guard g(data->lock);
    for (auto it = data->ocalls.begin(); it != data->ocalls.end();) {
      if (it->second->session == session) {
        victims.push_back(std::move(it->second));
        it = data->ocalls.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& oc : victims) ocall_cancel(ctx, std::move(oc));
}

void Optee::close_context(TeeContext* ctx) {
  if (ctx->dev != teedev_.get() || cfg_.defects.ocall_deadlock) return;
  // The fix the series adopted: cancel from the close hook, whatever still holds the context.
  auto* data = static_cast<ContextData*>(ctx->data);
  std::vector<std::unique_ptr<OcallCall>> victims;
  {
    std::lock_guard g(data->lock);
    for (auto& [id, oc] : data->ocalls) victims.push_back(std::move(oc));
    data->ocalls.clear();
  }
  for (auto& oc : victims) ocall_cancel(ctx, std::move(oc));
}

int Optee::ocall_surface(TeeContext* ctx, OcallCall* raw, tee_ioctl_invoke_arg* arg,
                         TeeParam* params, size_t n, TeeParam& desc, Step step, int rc) {
  std::unique_ptr<OcallCall> oc(raw);
  auto* data = static_cast<ContextData*>(ctx->data);
  for (;;) {
    if (step == Step::kDone) {
      OpteeMsgArg* msg = oc->cs.m.arg;
      if (rc) {
        msg->ret = kTeeErrorCommunication;
        msg->ret_origin = kTeeOriginComms;
      }
      // The final params as OP-TEE left them, in full: the caller's memrefs by shm.
      const OpteeMsgParam* mp = params_of(msg);
      for (size_t i = 0; i < n; ++i) {
        if (params[i].memref.shm) teedev_->shm_put(params[i].memref.shm);
        params[i] = TeeParam{};
        const uint64_t t = mp[i].attr & OPTEE_MSG_ATTR_TYPE_MASK;
        if (t >= OPTEE_MSG_ATTR_TYPE_VALUE_INPUT && t <= OPTEE_MSG_ATTR_TYPE_VALUE_INOUT) {
          params[i].attr = t;
          params[i].value = {mp[i].u.value.a, mp[i].u.value.b, mp[i].u.value.c};
        } else if (t >= OPTEE_MSG_ATTR_TYPE_RMEM_INPUT && t <= OPTEE_MSG_ATTR_TYPE_RMEM_INOUT) {
          auto* shm = reinterpret_cast<TeeShm*>(mp[i].u.rmem.shm_ref);
          shm_get(shm);
          params[i].attr =
              t - OPTEE_MSG_ATTR_TYPE_RMEM_INPUT + TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT;
          params[i].memref = {shm, static_cast<size_t>(mp[i].u.rmem.offs),
                              static_cast<size_t>(mp[i].u.rmem.size)};
        } else if (t >= OPTEE_MSG_ATTR_TYPE_TMEM_INPUT && t <= OPTEE_MSG_ATTR_TYPE_TMEM_INOUT) {
          params[i].attr =
              t - OPTEE_MSG_ATTR_TYPE_TMEM_INPUT + TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT;
          params[i].memref = {nullptr, 0, static_cast<size_t>(mp[i].u.tmem.size)};
        }
      }
      arg->ret = msg->ret;
      arg->ret_origin = msg->ret_origin;
      call_end(&oc->cs);
      free_msg_arg(oc->cs.m);
      for (TeeShm* s : oc->held) teedev_->shm_put(s);
      for (auto& [id, s] : oc->client_shms) teedev_->shm_put(s);
      desc.value = {ocall_make_pair(kOcallCmdNone, 0), 0, 0};
      return 0;
    }
    OpteeMsgArg* req = oc->req;
    OpteeMsgParam* rp = params_of(req);
    // The invocation's params are replaced by the request's (memrefs dropped first).
    for (size_t i = 0; i < n; ++i) {
      if (params[i].memref.shm) teedev_->shm_put(params[i].memref.shm);
      params[i] = TeeParam{};
    }
    uint32_t func = kOcallCmdNone;
    if (req->cmd == OPTEE_RPC_CMD_SHM_ALLOC) {
      func = kOcallCmdShmAlloc;
      if (n < 1) {
        req->ret = kTeeErrorBadParameters;
      } else {
        params[0].attr = TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT;
        params[0].value = {0, rp[0].u.value.b, 0};
      }
    } else if (req->cmd == OPTEE_RPC_CMD_SHM_FREE) {
      func = kOcallCmdShmFree;
      auto* shm = reinterpret_cast<TeeShm*>(rp[0].u.value.b);
      if (n < 1) {
        req->ret = kTeeErrorBadParameters;
      } else {
        params[0].attr = TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT;
        params[0].value = {static_cast<uint64_t>(shm->id), 0, 0};
      }
    } else {
      func = kOcallCmdInvoke;
      const bool ok = req->num_params >= 2 && rp[0].attr == OPTEE_MSG_ATTR_TYPE_VALUE_INOUT &&
                      rp[1].attr == OPTEE_MSG_ATTR_TYPE_VALUE_INPUT &&
                      rp[0].u.value.a <= UINT32_MAX && rp[1].u.value.c == 0 &&
                      req->num_params - 2 <= n;
      if (!ok) {
        req->ret = kTeeErrorBadParameters;
      } else {
        for (uint32_t i = 0; i + 2 < req->num_params; ++i) {
          const OpteeMsgParam& m = rp[2 + i];
          const uint64_t t = m.attr & OPTEE_MSG_ATTR_TYPE_MASK;
          if (t >= OPTEE_MSG_ATTR_TYPE_RMEM_INPUT && t <= OPTEE_MSG_ATTR_TYPE_RMEM_INOUT) {
            auto* shm = reinterpret_cast<TeeShm*>(m.u.rmem.shm_ref);
            shm_get(shm);  // the ioctl's put_params drops it again
            params[i].attr =
                t - OPTEE_MSG_ATTR_TYPE_RMEM_INPUT + TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT;
            params[i].memref = {shm, static_cast<size_t>(m.u.rmem.offs),
                                static_cast<size_t>(m.u.rmem.size)};
          } else {
            params[i].attr = t;
            params[i].value = {m.u.value.a, m.u.value.b, m.u.value.c};
          }
        }
        arg->func = static_cast<uint32_t>(rp[0].u.value.a);
      }
    }
    if (req->ret == kTeeErrorBadParameters) {
      // Malformed: OP-TEE hears so and the call goes on.
      req->ret_origin = kTeeOriginComms;
      oc->cs.regs.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
      step = call_run(ctx, &oc->cs, true, &oc->req, &rc);
      continue;
    }
    oc->func = func;
    std::lock_guard g(data->lock);
    if (!oc->id) oc->id = data->next_ocall_id++;
    const int id = oc->id;
    desc.value = {ocall_make_pair(func, static_cast<uint32_t>(id)), 0, 0};
    if (func == kOcallCmdInvoke) std::memcpy(&desc.value.b, &rp[1].u.value, 16);
    arg->ret = kTeeSuccess;
    arg->ret_origin = kTeeOriginComms;
    data->ocalls[id] = std::move(oc);
    return 0;
  }
}

int Optee::invoke_ocall(TeeContext* ctx, tee_ioctl_invoke_arg* arg, TeeParam* params, size_t n,
                        TeeParam& desc) {
  auto* data = static_cast<ContextData*>(ctx->data);
  const uint32_t func = ocall_func(desc.value.a);
  if (func == kOcallCmdNone) {
    {
      std::lock_guard g(data->lock);
      if (std::find(data->sessions.begin(), data->sessions.end(), arg->session) ==
          data->sessions.end())
        return -EINVAL;
    }
    auto oc = std::make_unique<OcallCall>();
    oc->session = arg->session;
    oc->num_params = n;
    MsgArg m;
    if (int rc = get_msg_arg(ctx, static_cast<uint32_t>(n), &m)) return rc;
    OpteeMsgArg* msg = m.arg;
    msg->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
    msg->func = arg->func;
    msg->session = arg->session;
    msg->cancel_id = arg->cancel_id;
    if (int rc = to_msg_param(params_of(msg), params, n)) {
      free_msg_arg(m);
      return rc;
    }
    // The fix of the series: the invocation's memory stays referenced until the call is over, so
    // a dying client cannot unregister it while the TA still uses it.
    if (!cfg_.defects.ocall_deadlock)
      for (size_t i = 0; i < n; ++i)
        if (params[i].memref.shm) {
          shm_get(params[i].memref.shm);
          oc->held.push_back(params[i].memref.shm);
        }
    call_begin(m, false, &oc->cs);
    int rc = 0;
    const Step st = call_run(ctx, &oc->cs, true, &oc->req, &rc);
    return ocall_surface(ctx, oc.release(), arg, params, n, desc, st, rc);
  }

  // A reply to a pending request.
  std::unique_ptr<OcallCall> oc;
  {
    std::lock_guard g(data->lock);
    auto it = data->ocalls.find(static_cast<int>(ocall_id(desc.value.a)));
    if (it == data->ocalls.end() || it->second->func != func || it->second->session != arg->session)
      return -EINVAL;
    oc = std::move(it->second);
    data->ocalls.erase(it);
  }
  OpteeMsgArg* req = oc->req;
  OpteeMsgParam* rp = params_of(req);
  req->ret = kTeeSuccess;
  req->ret_origin = kTeeOriginComms;
  switch (func) {
    case kOcallCmdShmAlloc: {
      if (arg->ret != kTeeSuccess || n < 1) {
        req->ret = arg->ret ? arg->ret : kTeeErrorBadParameters;
        break;
      }
      TeeShm* shm = params[0].value.a <= INT32_MAX
                        ? teedev_->shm_get_from_id(ctx, static_cast<int>(params[0].value.a))
                        : nullptr;
      if (!shm) {
        req->ret = kTeeErrorBadParameters;
        break;
      }
      if (!shm_to_tmem(shm, rp[0].u.value.b, &rp[0], &oc->cs.pages_lists)) {
        teedev_->shm_put(shm);
        req->ret = kTeeErrorOutOfMemory;
        break;
      }
      oc->client_shms[shm->id] = shm;
      break;
    }
    case kOcallCmdShmFree: {
      auto* shm = reinterpret_cast<TeeShm*>(rp[0].u.value.b);
      auto it = oc->client_shms.find(shm->id);
      if (it != oc->client_shms.end()) {
        teedev_->shm_put(it->second);
        oc->client_shms.erase(it);
      }
      if (arg->ret != kTeeSuccess) req->ret = arg->ret;
      break;
    }
    default: {  // kOcallCmdInvoke
      if (arg->ret_origin != kTeecOriginClientApp) {
        req->ret = arg->ret;
        req->ret_origin = arg->ret_origin;
        break;
      }
      for (uint32_t i = 0; i + 2 < req->num_params && i < n; ++i) {
        OpteeMsgParam& m = rp[2 + i];
        const uint64_t t = m.attr & OPTEE_MSG_ATTR_TYPE_MASK;
        if (t == OPTEE_MSG_ATTR_TYPE_VALUE_OUTPUT || t == OPTEE_MSG_ATTR_TYPE_VALUE_INOUT)
          m.u.value = {params[i].value.a, params[i].value.b, params[i].value.c};
        else if (t == OPTEE_MSG_ATTR_TYPE_RMEM_OUTPUT || t == OPTEE_MSG_ATTR_TYPE_RMEM_INOUT)
          m.u.rmem.size = params[i].memref.size;
      }
      rp[0].u.value.b = arg->ret;
      rp[0].u.value.c = arg->ret_origin;
    }
  }
  oc->cs.regs.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
  int rc = 0;
  const Step st = call_run(ctx, &oc->cs, true, &oc->req, &rc);
  return ocall_surface(ctx, oc.release(), arg, params, n, desc, st, rc);
}

}  // namespace emu::linux_tee::optee
