// Sessions, invocations and the message-argument cache (Linux drivers/tee/optee/call.c).
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "emu/linux_tee/optee/optee_private.h"

namespace emu::linux_tee::optee {

using namespace emu::abi;

namespace {
constexpr uint32_t kMaxArgParamCount = 6;  // MAX_ARG_PARAM_COUNT
constexpr size_t kShmEntrySize = platform::kPageSize;

uint8_t* shm_va(const TeeShm* shm, size_t offs) { return shm->kaddr ? shm->kaddr + offs : nullptr; }
}  // namespace

int Optee::get_msg_arg(TeeContext* ctx, uint32_t num_params, MsgArg* out) {
  if (num_params > kMaxArgParamCount) return -EINVAL;
  size_t sz = optee_msg_get_arg_size(kMaxArgParamCount);
  if (info_.rpc_param_count) sz += optee_msg_get_arg_size(info_.rpc_param_count);
  const size_t per_entry = arg_cache_shared_ ? kShmEntrySize / sz : 1;

  std::unique_lock lk(arg_cache_lock_);
  size_t e = 0;
  size_t slot = 0;
  for (; e < arg_cache_.size(); ++e) {
    auto& used = arg_cache_[e].used;
    slot = 0;
    while (slot < per_entry && used[slot]) ++slot;
    if (slot < per_entry) break;
  }
  if (e == arg_cache_.size()) {
    // Upstream allocates new argument pages on the *caller's* context, which then stays pinned by
    // the cache (reference §8.1b); here they belong to the driver's own context unless that
    // defect is switched on.
    // (Never a context that is being released: that would resurrect it.)
    TeeContext* owner =
        cfg_.defects.ctx_pinned_by_arg_cache && ctx && !ctx->releasing ? ctx : driver_ctx_;
    int err = 0;
    TeeShm* shm = teedev_->shm_alloc(owner, kShmEntrySize, TEE_SHM_PRIV | TEE_SHM_POOL, &err);
    if (!shm) return err;
    if (!arg_cache_priv_) {
      // Pre-register the page so calls can pass it by cookie (CALL_WITH_REGD_ARG). The page
      // itself carries its REGISTER_SHM message, passed by physical address.
      MsgArg self{shm, 0, reinterpret_cast<OpteeMsgArg*>(shm->kaddr), 0, 0};
      lk.unlock();
      err = register_pages(driver_ctx_, shm, &self);
      lk.lock();
      if (err) {
        teedev_->shm_put(shm);
        return err;
      }
      shm->flags |= TEE_SHM_DYNAMIC;
    }
    arg_cache_.push_back(ArgCacheEntry{shm, std::vector<bool>(per_entry, false)});
    e = arg_cache_.size() - 1;
    slot = 0;
  }
  arg_cache_[e].used[slot] = true;
  out->shm = arg_cache_[e].shm;
  out->offs = slot * sz;
  out->entry = e;
  out->slot = slot;
  out->arg = reinterpret_cast<OpteeMsgArg*>(shm_va(out->shm, out->offs));
  std::memset(out->arg, 0, sz);
  out->arg->num_params = num_params;
  return 0;
}

void Optee::free_msg_arg(const MsgArg& m) {
  std::lock_guard g(arg_cache_lock_);
  arg_cache_[m.entry].used[m.slot] = false;
}

int Optee::open_session(TeeContext* ctx, tee_ioctl_open_session_arg* arg, TeeParam* params) {
  MsgArg m;
  if (int rc = get_msg_arg(ctx, arg->num_params + 2, &m)) return rc;
  OpteeMsgArg* msg = m.arg;
  auto* mp = reinterpret_cast<OpteeMsgParam*>(msg + 1);
  msg->cmd = OPTEE_MSG_CMD_OPEN_SESSION;
  msg->cancel_id = arg->cancel_id;
  // Two meta parameters carry the TA UUID and the client identity.
  mp[0].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | OPTEE_MSG_ATTR_META;
  mp[1].attr = OPTEE_MSG_ATTR_TYPE_VALUE_INPUT | OPTEE_MSG_ATTR_META;
  std::memcpy(&mp[0].u.value, arg->uuid, TEE_IOCTL_UUID_LEN);
  std::memcpy(&mp[1].u.value, arg->clnt_uuid, TEE_IOCTL_UUID_LEN);
  mp[1].u.value.c = arg->clnt_login;
  if (int rc = to_msg_param(mp + 2, params, arg->num_params)) {
    free_msg_arg(m);
    return rc;
  }
  if (do_call_with_arg(ctx, m)) {
    msg->ret = kTeeErrorCommunication;
    msg->ret_origin = kTeeOriginComms;
  }
  if (msg->ret == kTeeSuccess) {
    auto* data = static_cast<ContextData*>(ctx->data);
    std::lock_guard g(data->lock);
    data->sessions.push_back(msg->session);
  }
  from_msg_param(params, arg->num_params, mp + 2);
  arg->session = msg->session;
  arg->ret = msg->ret;
  arg->ret_origin = msg->ret_origin;
  free_msg_arg(m);
  return 0;
}

int Optee::close_session_helper(TeeContext* ctx, uint32_t session) {
  MsgArg m;
  if (int rc = get_msg_arg(ctx, 0, &m)) return rc;
  m.arg->cmd = OPTEE_MSG_CMD_CLOSE_SESSION;
  m.arg->session = session;
  do_call_with_arg(ctx, m);
  free_msg_arg(m);
  return 0;
}

int Optee::close_session(TeeContext* ctx, uint32_t session) {
  auto* data = static_cast<ContextData*>(ctx->data);
  ocall_cancel_session(ctx, session);
  {
    std::lock_guard g(data->lock);
    auto it = std::find(data->sessions.begin(), data->sessions.end(), session);
    if (it == data->sessions.end()) return -EINVAL;
    data->sessions.erase(it);
  }
  return close_session_helper(ctx, session);
}

int Optee::invoke_func(TeeContext* ctx, tee_ioctl_invoke_arg* arg, TeeParam* params) {
  auto* data = static_cast<ContextData*>(ctx->data);
  const size_t n = arg->num_params;
  const bool has_desc = n && params[n - 1].attr == (TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT |
                                                    TEE_IOCTL_PARAM_ATTR_META);
  if (has_desc && !cfg_.ocall) return -EOPNOTSUPP;
  bool pending = false;
  {
    std::lock_guard g(data->lock);
    if (std::find(data->sessions.begin(), data->sessions.end(), arg->session) ==
        data->sessions.end())
      return -EINVAL;
    for (const auto& [id, oc] : data->ocalls) pending |= oc->session == arg->session;
  }
  // A new invocation on a session with an OCALL pending: refused, and the OCALL cancelled.
  if (pending && !(has_desc && ocall_func(params[n - 1].value.a) != kOcallCmdNone)) {
    ocall_cancel_session(ctx, arg->session);
    return -EINVAL;
  }
  if (has_desc) return invoke_ocall(ctx, arg, params, n - 1, params[n - 1]);
  MsgArg m;
  if (int rc = get_msg_arg(ctx, arg->num_params, &m)) return rc;
  OpteeMsgArg* msg = m.arg;
  auto* mp = reinterpret_cast<OpteeMsgParam*>(msg + 1);
  msg->cmd = OPTEE_MSG_CMD_INVOKE_COMMAND;
  msg->func = arg->func;
  msg->session = arg->session;
  msg->cancel_id = arg->cancel_id;
  if (int rc = to_msg_param(mp, params, arg->num_params)) {
    free_msg_arg(m);
    return rc;
  }
  if (do_call_with_arg(ctx, m)) {
    msg->ret = kTeeErrorCommunication;
    msg->ret_origin = kTeeOriginComms;
  }
  from_msg_param(params, arg->num_params, mp);
  arg->ret = msg->ret;
  arg->ret_origin = msg->ret_origin;
  free_msg_arg(m);
  return 0;
}

int Optee::cancel_req(TeeContext* ctx, uint32_t cancel_id, uint32_t session) {
  auto* data = static_cast<ContextData*>(ctx->data);
  {
    std::lock_guard g(data->lock);
    if (std::find(data->sessions.begin(), data->sessions.end(), session) == data->sessions.end())
      return -EINVAL;
  }
  MsgArg m;
  if (int rc = get_msg_arg(ctx, 0, &m)) return rc;
  m.arg->cmd = OPTEE_MSG_CMD_CANCEL;
  m.arg->session = session;
  m.arg->cancel_id = cancel_id;
  do_call_with_arg(ctx, m);
  free_msg_arg(m);
  return 0;
}

}  // namespace emu::linux_tee::optee
