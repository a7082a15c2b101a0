#include "emu/linux_tee/optee/supp.h"

#include <linux/tee.h>

#include <cerrno>

#include "emu/abi/optee_msg.h"

namespace emu::linux_tee::optee {

namespace {

constexpr uint64_t kMetaValueInout =
    TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT | TEE_IOCTL_PARAM_ATTR_META;

bool is_memref(uint64_t attr) {
  const uint64_t t = attr & TEE_IOCTL_PARAM_ATTR_TYPE_MASK;
  return t >= TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT && t <= TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT;
}

}  // namespace

uint32_t Supp::thrd_req(uint32_t func, size_t num_params, TeeParam* params) {
  Req r;
  r.func = func;
  r.num_params = num_params;
  r.params = params;
  std::unique_lock g(lock_);
  // Upstream a user context would wait here for a supplicant to appear, interruptibly; emulated
  // processes have no signals to interrupt it with, so the request fails at once instead.
  if (!ctx_) return abi::kTeeErrorCommunication;
  reqs_.push_back(&r);
  reqs_c_.notify_one();
  done_c_.wait(g, [&] { return r.done; });
  return r.ret;
}

void Supp::complete(Req* r, uint32_t ret) {
  r->ret = ret;
  r->done = true;
}

int Supp::attach(TeeContext* ctx) {
  std::lock_guard g(lock_);
  if (ctx_) return -EBUSY;
  ctx_ = ctx;
  return 0;
}

void Supp::release(TeeContext* ctx) {
  std::lock_guard g(lock_);
  if (ctx_ != ctx) return;
  for (Req* r : reqs_) complete(r, abi::kTeeErrorCommunication);
  for (auto& [id, r] : taken_) complete(r, abi::kTeeErrorCommunication);
  reqs_.clear();
  taken_.clear();
  ctx_ = nullptr;
  signalled_ = false;
  done_c_.notify_all();
}

int Supp::recv(TeeContext* ctx, uint32_t* func, uint32_t* num_params, TeeParam* params) {
  // The params are all NONE, or the first is META: an async-capable supplicant.
  uint32_t num_meta = 0;
  if (*num_params && (params[0].attr & TEE_IOCTL_PARAM_ATTR_META)) {
    if (params[0].attr != kMetaValueInout) return -EINVAL;
    num_meta = 1;
  }
  for (uint32_t i = num_meta; i < *num_params; ++i)
    if (params[i].attr != TEE_IOCTL_PARAM_ATTR_TYPE_NONE) return -EINVAL;
  std::unique_lock g(lock_);
  if (ctx != ctx_) return -EINVAL;
  Req* r = nullptr;
  for (;;) {
    if (signalled_) return -EINTR;  // -ERESTARTSYS, as user space sees it
    if (!reqs_.empty()) {
      if (reqs_.front()->num_params > *num_params - num_meta) return -EINVAL;
      r = reqs_.front();
      reqs_.pop_front();
      break;
    }
    reqs_c_.wait(g);
    if (ctx != ctx_) return -EINVAL;
  }
  r->id = next_id_++;
  taken_[r->id] = r;
  if (num_meta) {
    params[0] = TeeParam{};
    params[0].attr = kMetaValueInout;
    params[0].value.a = static_cast<uint64_t>(r->id);
  } else {
    sync_id_ = r->id;
  }
  *func = r->func;
  *num_params = static_cast<uint32_t>(r->num_params) + num_meta;
  for (size_t i = 0; i < r->num_params; ++i) params[num_meta + i] = r->params[i];
  return 0;
}

int Supp::send(TeeContext* ctx, uint32_t ret, uint32_t num_params, TeeParam* params) {
  std::lock_guard g(lock_);
  if (ctx != ctx_) return -EINVAL;
  uint32_t num_meta = 0;
  int id = sync_id_;
  if (num_params && (params[0].attr & TEE_IOCTL_PARAM_ATTR_META)) {
    num_meta = 1;
    id = static_cast<int>(params[0].value.a);
  }
  auto it = taken_.find(id);
  if (it == taken_.end()) return -ENOENT;
  Req* r = it->second;
  if (num_params - num_meta != r->num_params) return -EINVAL;
  taken_.erase(it);
  for (size_t i = 0; i < r->num_params; ++i) {
    TeeParam& dst = r->params[i];
    const TeeParam& src = params[num_meta + i];
    const uint64_t t = dst.attr & TEE_IOCTL_PARAM_ATTR_TYPE_MASK;
    if (t == TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT || t == TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT)
      dst.value = src.value;
    else if (is_memref(dst.attr) && t != TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT)
      dst.memref.size = src.memref.size;
  }
  complete(r, ret);
  done_c_.notify_all();
  return 0;
}

void Supp::interrupt() {
  std::lock_guard g(lock_);
  signalled_ = true;
  reqs_c_.notify_all();
}

bool Supp::attached() const {
  std::lock_guard g(lock_);
  return ctx_ != nullptr;
}

TeeContext* Supp::ctx() const {
  std::lock_guard g(lock_);
  return ctx_;
}

size_t Supp::pending() const {
  std::lock_guard g(lock_);
  return reqs_.size() + taken_.size();
}

}  // namespace emu::linux_tee::optee
