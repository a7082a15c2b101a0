#include "teebench/tee/session.h"

#include <linux/tee.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <utility>

#include "teebench/tee/shared_memory.h"

namespace client {

Param Param::value(Dir dir, uint32_t a, uint32_t b) {
  Param p;
  p.type_ = Type::kValue;
  p.dir_ = dir;
  p.a_ = a;
  p.b_ = b;
  return p;
}

Param Param::memref(Dir dir, const SharedMemory& shm, size_t offset, size_t size) {
  Param p;
  p.type_ = Type::kMemref;
  p.dir_ = dir;
  p.shm_ = &shm;
  p.offset_ = offset;
  p.size_ = size;
  return p;
}

Param Param::tmpref(Dir dir, void* buffer, size_t size) {
  Param p;
  p.type_ = buffer || size ? Type::kTmpref : Type::kMemrefNull;
  p.dir_ = dir;
  p.buffer_ = buffer;
  p.size_ = size;
  return p;
}

// Marshals an Operation into ioctl params, with the temporary shared memory tmprefs need
// (libteec tee_client_api.c: teec_pre_process_tmpref / teec_post_process_tmpref).
struct ParamMarshal {
  SharedMemory temp[4];
  UserBuffer shadow[4];
  bool copied[4] = {};

  static uint64_t value_attr(Dir d) {
    return TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT + static_cast<uint64_t>(d);
  }
  static uint64_t memref_attr(Dir d) {
    return TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT + static_cast<uint64_t>(d);
  }

  Result tmpref(Context& ctx, size_t i, Param& p, tee_ioctl_param* out) {
    // libteec bumps a zero size to 8 bytes for the registration.
    const size_t size = std::max<size_t>(p.size_, 8);
    if (ctx.reg_mem()) {
      if (SharedMemory::register_memory(ctx, p.buffer_, size, &temp[i]).ok()) {
        *out = {memref_attr(p.dir_), 0, p.size_, static_cast<uint64_t>(temp[i].id())};
        return {};
      }
      // Not registrable (e.g. not the process's normal memory): a registered shadow copy.
      try {
        shadow[i] = UserBuffer(ctx.device(), size);
      } catch (const std::bad_alloc&) {
        return Result::teec(kTeecErrorOutOfMemory, kTeecOriginApi);
      }
      if (Result r = SharedMemory::register_memory(ctx, shadow[i].data(), size, &temp[i]); !r.ok())
        return r;
    } else if (Result r = SharedMemory::allocate(ctx, size, &temp[i]); !r.ok()) {
      return r;
    }
    copied[i] = true;
    if (p.dir_ != Dir::kOut && p.buffer_) std::memcpy(temp[i].data(), p.buffer_, p.size_);
    *out = {memref_attr(p.dir_), 0, p.size_, static_cast<uint64_t>(temp[i].id())};
    return {};
  }

  Result to_ioctl(Context& ctx, Operation* op, tee_ioctl_param* out) {
    for (size_t i = 0; i < 4; ++i) {
      out[i] = {};
      if (!op) continue;
      Param& p = op->params[i];
      switch (p.type_) {
        case Param::Type::kNone:
          break;
        case Param::Type::kValue:
          out[i] = {value_attr(p.dir_), p.a_, p.b_, 0};
          break;
        case Param::Type::kMemref:
          out[i] = {memref_attr(p.dir_), p.offset_, p.size_, static_cast<uint64_t>(p.shm_->id())};
          break;
        case Param::Type::kMemrefNull:
          if (ctx.memref_null()) {
            out[i] = {memref_attr(p.dir_), 0, 0, TEE_MEMREF_NULL};
            break;
          }
          if (Result r = SharedMemory::allocate(ctx, 8, &temp[i]); !r.ok()) return r;
          out[i] = {memref_attr(p.dir_), 0, 0, static_cast<uint64_t>(temp[i].id())};
          break;
        case Param::Type::kTmpref:
          if (Result r = tmpref(ctx, i, p, &out[i]); !r.ok()) return r;
          break;
      }
    }
    return {};
  }

  void from_ioctl(Operation* op, const tee_ioctl_param* in) {
    if (!op) return;
    for (size_t i = 0; i < 4; ++i) {
      Param& p = op->params[i];
      if (p.type_ == Param::Type::kValue && p.dir_ != Dir::kIn) {
        p.a_ = static_cast<uint32_t>(in[i].a);
        p.b_ = static_cast<uint32_t>(in[i].b);
      } else if (p.type_ != Param::Type::kValue && p.type_ != Param::Type::kNone &&
                 p.dir_ != Dir::kIn) {
        if (copied[i] && p.buffer_)
          std::memcpy(p.buffer_, temp[i].data(), std::min<size_t>(in[i].b, p.size_));
        p.size_ = in[i].b;
      }
    }
  }
};

namespace {

// The ioctl buffer: the fixed argument followed by 4 params, as one contiguous block.
template <typename Arg>
struct alignas(8) CallBuf {
  uint8_t bytes[sizeof(Arg) + 4 * sizeof(tee_ioctl_param)] = {};
  Arg* arg() { return reinterpret_cast<Arg*>(bytes); }
  tee_ioctl_param* params() { return reinterpret_cast<tee_ioctl_param*>(bytes + sizeof(Arg)); }
  tee_ioctl_buf_data buf_data() { return {reinterpret_cast<uintptr_t>(bytes), sizeof(bytes)}; }
};

}  // namespace

Session& Session::operator=(Session&& o) noexcept {
  if (this != &o) {
    close();
    ctx_ = std::exchange(o.ctx_, nullptr);
    id_ = std::exchange(o.id_, 0);
  }
  return *this;
}

Result Session::open(Context& ctx, const Uuid& uuid, Login login, Operation* op, Session* out) {
  out->close();
  CallBuf<tee_ioctl_open_session_arg> cb;
  auto* arg = cb.arg();
  std::memcpy(arg->uuid, uuid.octets.data(), TEE_IOCTL_UUID_LEN);
  arg->clnt_login = static_cast<uint32_t>(login);
  arg->num_params = 4;
  ParamMarshal m;
  if (Result r = m.to_ioctl(ctx, op, cb.params()); !r.ok()) return r;
  auto bd = cb.buf_data();
  const int rc = ctx.device().ioctl(ctx.fd(), TEE_IOC_OPEN_SESSION, &bd);
  if (rc < 0) return Result::from_errno(-rc);
  m.from_ioctl(op, cb.params());
  if (arg->ret == kTeecSuccess) {
    out->ctx_ = &ctx;
    out->id_ = arg->session;
  }
  return Result::teec(arg->ret, arg->ret_origin);
}

Result Session::invoke(uint32_t cmd, Operation* op, uint32_t cancel_id) {
  if (!ctx_) return Result::teec(kTeecErrorBadState, kTeecOriginApi);
  CallBuf<tee_ioctl_invoke_arg> cb;
  auto* arg = cb.arg();
  arg->func = cmd;
  arg->session = id_;
  arg->cancel_id = cancel_id;
  arg->num_params = 4;
  ParamMarshal m;
  if (Result r = m.to_ioctl(*ctx_, op, cb.params()); !r.ok()) return r;
  auto bd = cb.buf_data();
  const int rc = ctx_->device().ioctl(ctx_->fd(), TEE_IOC_INVOKE, &bd);
  if (rc < 0) return Result::from_errno(-rc);
  m.from_ioctl(op, cb.params());
  return Result::teec(arg->ret, arg->ret_origin);
}

namespace {

// The descriptor's value.a: the OCALL function in the high half, the OCALL id in the low one.
constexpr uint64_t kOcallInvoke = 1, kOcallShmAlloc = 2, kOcallShmFree = 3;
constexpr uint64_t kDescAttr = TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT | TEE_IOCTL_PARAM_ATTR_META;

bool is_memref(uint64_t attr) {
  const uint64_t t = attr & TEE_IOCTL_PARAM_ATTR_TYPE_MASK;
  return t >= TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT && t <= TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT;
}

}  // namespace

Result Session::invoke(uint32_t cmd, Operation* op, const OcallHandler& handler) {
  if (!ctx_) return Result::teec(kTeecErrorBadState, kTeecOriginApi);
  if (op && op->params[3].type() != Param::Type::kNone)
    return Result::teec(kTeecErrorBadParameters, kTeecOriginApi);
  CallBuf<tee_ioctl_invoke_arg> cb;
  auto* arg = cb.arg();
  ParamMarshal m;
  if (Result r = m.to_ioctl(*ctx_, op, cb.params()); !r.ok()) return r;
  tee_ioctl_param* p = cb.params();
  p[3] = tee_ioctl_param{kDescAttr, 0, 0, 0};
  // Buffers lent to the TA for the OCALLs of this invocation, by shm id.
  std::map<int, std::unique_ptr<SharedMemory>> lent;
  uint32_t func = cmd;
  uint32_t ret = 0, origin = 0;
  for (;;) {
    arg->func = func;
    arg->session = id_;
    arg->cancel_id = 0;
    arg->num_params = 4;
    arg->ret = ret;
    arg->ret_origin = origin;
    auto bd = cb.buf_data();
    const int rc = ctx_->device().ioctl(ctx_->fd(), TEE_IOC_INVOKE, &bd);
    if (rc < 0) return Result::from_errno(-rc);
    const uint64_t what = p[3].a >> 32;
    if (what == 0) break;  // the invocation's own result
    ret = kTeecSuccess;
    origin = kTeecOriginClientApp;
    func = 0;
    switch (what) {
      case kOcallShmAlloc: {
        auto shm = std::make_unique<SharedMemory>();
        if (Result r = SharedMemory::allocate(*ctx_, p[0].b, shm.get()); !r.ok()) {
          ret = r.code;
          origin = kTeecOriginApi;
          break;
        }
        p[0].a = static_cast<uint64_t>(shm->id());
        lent[shm->id()] = std::move(shm);
        break;
      }
      case kOcallShmFree:
        lent.erase(static_cast<int>(p[0].a));
        break;
      case kOcallInvoke: {
        OcallParam ps[3];
        for (int i = 0; i < 3; ++i) {
          const uint64_t t = p[i].attr & TEE_IOCTL_PARAM_ATTR_TYPE_MASK;
          if (is_memref(p[i].attr)) {
            auto it = lent.find(static_cast<int>(p[i].c));
            ps[i].kind = OcallParam::Kind::kBuffer;
            if (it != lent.end()) ps[i].data = static_cast<uint8_t*>(it->second->data()) + p[i].a;
            ps[i].size = p[i].b;
            ps[i].in = t != TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_OUTPUT;
            ps[i].out = t != TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT;
          } else if (t != TEE_IOCTL_PARAM_ATTR_TYPE_NONE) {
            ps[i].kind = OcallParam::Kind::kValue;
            ps[i].a = static_cast<uint32_t>(p[i].a);
            ps[i].b = static_cast<uint32_t>(p[i].b);
            ps[i].in = t != TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT;
            ps[i].out = t != TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT;
          }
        }
        ret = handler ? handler(arg->func, ps) : kTeecErrorNotSupported;
        for (int i = 0; i < 3; ++i) {
          if (ps[i].kind == OcallParam::Kind::kValue) {
            p[i].a = ps[i].a;
            p[i].b = ps[i].b;
          } else if (ps[i].kind == OcallParam::Kind::kBuffer) {
            p[i].b = ps[i].size;
          }
        }
        break;
      }
      default:
        return Result::teec(kTeecErrorCommunication, kTeecOriginComms);
    }
  }
  m.from_ioctl(op, cb.params());
  return Result::teec(arg->ret, arg->ret_origin);
}

Result Session::cancel(uint32_t cancel_id) {
  if (!ctx_) return Result::teec(kTeecErrorBadState, kTeecOriginApi);
  tee_ioctl_cancel_arg a{cancel_id, id_};
  const int rc = ctx_->device().ioctl(ctx_->fd(), TEE_IOC_CANCEL, &a);
  return rc < 0 ? Result::from_errno(-rc) : Result{};
}

Result Session::close() {
  if (!ctx_) return {};
  tee_ioctl_close_session_arg a{id_};
  const int rc = ctx_->device().ioctl(ctx_->fd(), TEE_IOC_CLOSE_SESSION, &a);
  ctx_ = nullptr;
  id_ = 0;
  return rc < 0 ? Result::from_errno(-rc) : Result{};
}

}  // namespace client
