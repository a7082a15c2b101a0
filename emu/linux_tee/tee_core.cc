// The TEE character devices and their ioctls (Linux drivers/tee/tee_core.c). Every check and errno
// follows reference §1.3/§1.4; the comments name the upstream function each step mirrors.
#include "emu/linux_tee/tee_core.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include "emu/linux_tee/client_uuid.h"

namespace emu::linux_tee {
namespace {

// The anon-inode file SHM_ALLOC / SHM_REGISTER return ("tee_shm"); holds one shm reference.
class ShmFile final : public File {
 public:
  explicit ShmFile(TeeShm* shm) : shm_(shm) {}
  ~ShmFile() override { shm_->ctx->dev->shm_put(shm_); }
  long ioctl(Process&, unsigned int, uintptr_t) override { return -ENOTTY; }
  long mmap(Process& p, size_t len, std::shared_ptr<File> self, void** addr) override {
    // Registered user memory is the caller's own pages: mapping it again is refused.
    if (shm_->flags & TEE_SHM_USER_MAPPED) return -EINVAL;
    const size_t pages = (len + platform::kPageSize - 1) / platform::kPageSize;
    if (len == 0 || pages > shm_->pages.size()) return -EINVAL;
    int err = 0;
    *addr = p.mm().map({shm_->pages.data(), pages}, std::move(self), &err);
    return *addr ? 0 : err;
  }

 private:
  TeeShm* shm_;
};

class ContextFile final : public File {
 public:
  explicit ContextFile(TeeContext* ctx) : ctx_(ctx) {}
  // tee_release -> teedev_close_context: the driver hears of the close at once (close_context),
  // but the context itself lives on while shm objects hold it.
  ~ContextFile() override {
    ctx_->dev->driver().close_context(ctx_);
    teedev_ctx_put(ctx_);
  }
  long ioctl(Process& p, unsigned int cmd, uintptr_t arg) override;

 private:
  long version(Process& p, uintptr_t uarg);
  long shm_alloc(Process& p, uintptr_t uarg);
  long shm_register(Process& p, uintptr_t uarg);
  long open_session(Process& p, uintptr_t uarg);
  long invoke(Process& p, uintptr_t uarg);
  long cancel(Process& p, uintptr_t uarg);
  long close_session(Process& p, uintptr_t uarg);
  long params_from_user(Process& p, TeeParam* params, size_t n, uintptr_t uparams);
  long params_to_user(Process& p, uintptr_t uparams, const TeeParam* params, size_t n);
  long params_to_user_whole(Process& p, uintptr_t uparams, const TeeParam* params, size_t n);
  long supp_recv(Process& p, uintptr_t uarg);
  long supp_send(Process& p, uintptr_t uarg);
  void put_params(TeeParam* params, size_t n);
  template <typename Arg>
  long read_buf_arg(Process& p, uintptr_t uarg, Arg* arg, uintptr_t* ubuf, uintptr_t* uparams,
                    size_t* nparams);

  TeeContext* ctx_;
};

long ContextFile::version(Process& p, uintptr_t uarg) {
  tee_ioctl_version_data v{};
  ctx_->dev->driver().get_version(&v);
  if (ctx_->dev->privileged()) v.gen_caps |= TEE_GEN_CAP_PRIVILEGED;
  return p.copy_to_user(uarg, &v, sizeof(v));
}

long ContextFile::shm_alloc(Process& p, uintptr_t uarg) {
  tee_ioctl_shm_alloc_data data{};
  if (p.copy_from_user(&data, uarg, sizeof(data))) return -EFAULT;
  if (data.flags) return -EINVAL;  // input flags must be 0
  int err = 0;
  TeeShm* shm = ctx_->dev->shm_alloc(ctx_, data.size, TEE_SHM_DYNAMIC | TEE_SHM_POOL, &err);
  if (!shm) return err;
  data.id = shm->id;
  data.size = shm->size;
  if (p.copy_to_user(uarg, &data, sizeof(data))) {
    ctx_->dev->shm_put(shm);
    return -EFAULT;
  }
  const int fd = p.install_fd(std::make_shared<ShmFile>(shm));
  if (fd < 0) ctx_->dev->shm_put(shm);
  return fd;
}

long ContextFile::shm_register(Process& p, uintptr_t uarg) {
  tee_ioctl_shm_register_data data{};
  if (p.copy_from_user(&data, uarg, sizeof(data))) return -EFAULT;
  if (data.flags) return -EINVAL;
  int err = 0;
  TeeShm* shm = ctx_->dev->shm_register_user(ctx_, data.addr, data.length, &err);
  if (!shm) return err;
  data.id = shm->id;
  data.length = shm->size;
  if (p.copy_to_user(uarg, &data, sizeof(data))) {
    ctx_->dev->shm_put(shm);
    return -EFAULT;
  }
  const int fd = p.install_fd(std::make_shared<ShmFile>(shm));
  if (fd < 0) ctx_->dev->shm_put(shm);
  return fd;
}

void ContextFile::put_params(TeeParam* params, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (params[i].memref.shm) ctx_->dev->shm_put(params[i].memref.shm);
}

long ContextFile::params_from_user(Process& p, TeeParam* params, size_t n, uintptr_t uparams) {
  for (size_t i = 0; i < n; ++i) {
    tee_ioctl_param ip{};
    if (p.copy_from_user(&ip, uparams + i * sizeof(ip), sizeof(ip))) return -EFAULT;
    if (ip.attr & ~uint64_t{TEE_IOCTL_PARAM_ATTR_MASK}) return -EINVAL;
    params[i].attr = ip.attr;
    switch (ip.attr & TEE_IOCTL_PARAM_ATTR_TYPE_MASK) {
      case TEE_IOCTL_PARAM_ATTR_TYPE_NONE:
      case TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT:
        break;
      case TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT:
        params[i].value = {ip.a, ip.b, ip.c};
        break;
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_OUTPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT: {
        if (ip.c == TEE_MEMREF_NULL) {
          if (!ctx_->cap_memref_null) return -EINVAL;
          params[i].memref = {nullptr, static_cast<size_t>(ip.a), static_cast<size_t>(ip.b)};
          break;
        }
        if (ip.c > INT32_MAX) return -EINVAL;
        TeeShm* shm = ctx_->dev->shm_get_from_id(ctx_, static_cast<int>(ip.c));
        if (!shm) return -EINVAL;
        params[i].memref = {shm, static_cast<size_t>(ip.a), static_cast<size_t>(ip.b)};
        if (ip.a + ip.b < ip.a || ip.a + ip.b > shm->size) return -EINVAL;
        break;
      }
      default:
        return -EINVAL;
    }
  }
  return 0;
}

long ContextFile::params_to_user(Process& p, uintptr_t uparams, const TeeParam* params, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const uintptr_t up = uparams + i * sizeof(tee_ioctl_param);
    switch (params[i].attr & TEE_IOCTL_PARAM_ATTR_TYPE_MASK) {
      case TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT: {
        const uint64_t v[3] = {params[i].value.a, params[i].value.b, params[i].value.c};
        if (p.copy_to_user(up + offsetof(tee_ioctl_param, a), v, sizeof(v))) return -EFAULT;
        break;
      }
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_OUTPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT: {
        const uint64_t size = params[i].memref.size;
        if (p.copy_to_user(up + offsetof(tee_ioctl_param, b), &size, sizeof(size))) return -EFAULT;
        break;
      }
      default:
        break;
    }
  }
  return 0;
}

long ContextFile::params_to_user_whole(Process& p, uintptr_t uparams, const TeeParam* params,
                                       size_t n) {
  for (size_t i = 0; i < n; ++i) {
    tee_ioctl_param ip{};
    ip.attr = params[i].attr;
    switch (params[i].attr & TEE_IOCTL_PARAM_ATTR_TYPE_MASK) {
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_OUTPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT:
        ip.a = params[i].memref.offs;
        ip.b = params[i].memref.size;
        ip.c = params[i].memref.shm ? static_cast<uint64_t>(params[i].memref.shm->id)
                                    : TEE_MEMREF_NULL;
        break;
      default:
        ip.a = params[i].value.a;
        ip.b = params[i].value.b;
        ip.c = params[i].value.c;
    }
    if (p.copy_to_user(uparams + i * sizeof(ip), &ip, sizeof(ip))) return -EFAULT;
  }
  return 0;
}

template <typename Arg>
long ContextFile::read_buf_arg(Process& p, uintptr_t uarg, Arg* arg, uintptr_t* ubuf,
                               uintptr_t* uparams, size_t* nparams) {
  tee_ioctl_buf_data buf{};
  if (p.copy_from_user(&buf, uarg, sizeof(buf))) return -EFAULT;
  if (buf.buf_len > TEE_MAX_ARG_SIZE || buf.buf_len < sizeof(Arg)) return -EINVAL;
  if (p.copy_from_user(arg, buf.buf_ptr, sizeof(Arg))) return -EFAULT;
  if (sizeof(Arg) + sizeof(tee_ioctl_param) * uint64_t{arg->num_params} != buf.buf_len)
    return -EINVAL;
  *ubuf = buf.buf_ptr;
  *uparams = buf.buf_ptr + sizeof(Arg);
  *nparams = arg->num_params;
  return 0;
}

// Parameters live on the stack: TEE_MAX_ARG_SIZE bounds them to 31.
constexpr size_t kMaxParams =
    (TEE_MAX_ARG_SIZE - sizeof(tee_ioctl_invoke_arg)) / sizeof(tee_ioctl_param);

long ContextFile::open_session(Process& p, uintptr_t uarg) {
  tee_ioctl_open_session_arg arg{};
  uintptr_t ubuf = 0;
  uintptr_t uparams = 0;
  size_t n = 0;
  if (long rc = read_buf_arg(p, uarg, &arg, &ubuf, &uparams, &n)) return rc;
  TeeParam params[kMaxParams];
  long rc = params_from_user(p, params, n, uparams);
  if (rc == 0 && arg.clnt_login >= TEE_IOCTL_LOGIN_REE_KERNEL_MIN &&
      arg.clnt_login <= TEE_IOCTL_LOGIN_REE_KERNEL_MAX)
    rc = -EPERM;
  if (rc == 0) rc = calc_client_uuid(arg.clnt_uuid, arg.clnt_login, arg.clnt_uuid);
  if (rc == 0) rc = ctx_->dev->driver().open_session(ctx_, &arg, params);
  if (rc == 0) {
    rc = params_to_user(p, uparams, params, n);
    if (rc == 0 && p.copy_to_user(ubuf, &arg, sizeof(arg))) rc = -EFAULT;
    // Opened in the TEE but the caller cannot learn the session: close it again.
    if (rc != 0 && arg.ret == 0) ctx_->dev->driver().close_session(ctx_, arg.session);
  }
  put_params(params, n);
  return rc;
}

long ContextFile::invoke(Process& p, uintptr_t uarg) {
  tee_ioctl_invoke_arg arg{};
  uintptr_t ubuf = 0;
  uintptr_t uparams = 0;
  size_t n = 0;
  if (long rc = read_buf_arg(p, uarg, &arg, &ubuf, &uparams, &n)) return rc;
  TeeParam params[kMaxParams];
  long rc = params_from_user(p, params, n, uparams);
  // An OCALL-aware invoke (last param the META descriptor) may come back carrying a request
  // instead of results: its params go out whole, memrefs as shm ids (the series' tee_core change).
  const bool ocall =
      rc == 0 && n &&
      params[n - 1].attr == (TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT | TEE_IOCTL_PARAM_ATTR_META);
  if (rc == 0) rc = ctx_->dev->driver().invoke_func(ctx_, &arg, params);
  if (rc == 0)
    rc =
        ocall ? params_to_user_whole(p, uparams, params, n) : params_to_user(p, uparams, params, n);
  if (rc == 0 && p.copy_to_user(ubuf, &arg, sizeof(arg))) rc = -EFAULT;
  put_params(params, n);
  return rc;
}

long ContextFile::cancel(Process& p, uintptr_t uarg) {
  tee_ioctl_cancel_arg arg{};
  if (p.copy_from_user(&arg, uarg, sizeof(arg))) return -EFAULT;
  return ctx_->dev->driver().cancel_req(ctx_, arg.cancel_id, arg.session);
}

long ContextFile::close_session(Process& p, uintptr_t uarg) {
  tee_ioctl_close_session_arg arg{};
  if (p.copy_from_user(&arg, uarg, sizeof(arg))) return -EFAULT;
  return ctx_->dev->driver().close_session(ctx_, arg.session);
}

// TEE_IOC_SUPPL_RECV (tee_ioctl_supp_recv): the request's params go out whole, memrefs as shm
// id + offset + size.
long ContextFile::supp_recv(Process& p, uintptr_t uarg) {
  tee_ioctl_buf_data buf{};
  if (p.copy_from_user(&buf, uarg, sizeof(buf))) return -EFAULT;
  if (buf.buf_len > TEE_MAX_ARG_SIZE || buf.buf_len < sizeof(tee_iocl_supp_recv_arg))
    return -EINVAL;
  tee_iocl_supp_recv_arg arg{};
  if (p.copy_from_user(&arg, buf.buf_ptr, sizeof(arg))) return -EFAULT;
  if (sizeof(arg) + sizeof(tee_ioctl_param) * uint64_t{arg.num_params} != buf.buf_len)
    return -EINVAL;
  const uintptr_t uparams = buf.buf_ptr + sizeof(arg);
  std::vector<TeeParam> params(arg.num_params);
  // Only the META marker is read from the supplicant's params.
  for (uint32_t i = 0; i < arg.num_params; ++i) {
    tee_ioctl_param ip{};
    if (p.copy_from_user(&ip, uparams + i * sizeof(ip), sizeof(ip))) return -EFAULT;
    params[i].attr = ip.attr;
  }
  uint32_t func = 0;
  uint32_t num = arg.num_params;
  if (long rc = ctx_->dev->driver().supp_recv(ctx_, &func, &num, params.data())) return rc;
  if (long rc = params_to_user_whole(p, uparams, params.data(), num)) return rc;
  arg.func = func;
  arg.num_params = num;
  if (p.copy_to_user(buf.buf_ptr, &arg, sizeof(arg))) return -EFAULT;
  return 0;
}

// TEE_IOC_SUPPL_SEND: only values and memref sizes come back.
long ContextFile::supp_send(Process& p, uintptr_t uarg) {
  tee_ioctl_buf_data buf{};
  if (p.copy_from_user(&buf, uarg, sizeof(buf))) return -EFAULT;
  if (buf.buf_len > TEE_MAX_ARG_SIZE || buf.buf_len < sizeof(tee_iocl_supp_send_arg))
    return -EINVAL;
  tee_iocl_supp_send_arg arg{};
  if (p.copy_from_user(&arg, buf.buf_ptr, sizeof(arg))) return -EFAULT;
  if (sizeof(arg) + sizeof(tee_ioctl_param) * uint64_t{arg.num_params} != buf.buf_len)
    return -EINVAL;
  std::vector<TeeParam> params(arg.num_params);
  for (uint32_t i = 0; i < arg.num_params; ++i) {
    tee_ioctl_param ip{};
    if (p.copy_from_user(&ip, buf.buf_ptr + sizeof(arg) + i * sizeof(ip), sizeof(ip)))
      return -EFAULT;
    if (ip.attr & ~uint64_t{TEE_IOCTL_PARAM_ATTR_MASK}) return -EINVAL;
    params[i].attr = ip.attr;
    switch (ip.attr & TEE_IOCTL_PARAM_ATTR_TYPE_MASK) {
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_OUTPUT:
      case TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT:
        params[i].memref.size = static_cast<size_t>(ip.b);
        break;
      default:
        params[i].value = {ip.a, ip.b, ip.c};
    }
  }
  return ctx_->dev->driver().supp_send(ctx_, arg.ret, arg.num_params, params.data());
}

long ContextFile::ioctl(Process& p, unsigned int cmd, uintptr_t arg) {
  if (ctx_->dev->privileged()) {
    if (cmd == TEE_IOC_SUPPL_RECV) return supp_recv(p, arg);
    if (cmd == TEE_IOC_SUPPL_SEND) return supp_send(p, arg);
  }
  switch (cmd) {
    case TEE_IOC_VERSION:
      return version(p, arg);
    case TEE_IOC_SHM_ALLOC:
      return shm_alloc(p, arg);
    case TEE_IOC_SHM_REGISTER:
      return shm_register(p, arg);
    case TEE_IOC_OPEN_SESSION:
      return open_session(p, arg);
    case TEE_IOC_INVOKE:
      return invoke(p, arg);
    case TEE_IOC_CANCEL:
      return cancel(p, arg);
    case TEE_IOC_CLOSE_SESSION:
      return close_session(p, arg);
    default:
      // SUPPL_RECV/SEND reach a driver op only on the supplicant device (teepriv).
      return -EINVAL;
  }
}

}  // namespace

void teedev_ctx_get(TeeContext* ctx) { ctx->refcount.fetch_add(1, std::memory_order_relaxed); }

void teedev_ctx_put(TeeContext* ctx) {
  if (ctx->refcount.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  // teedev_ctx_release: the driver closes the context's sessions now, not at fd close.
  ctx->releasing = true;
  TeeDevice* dev = ctx->dev;
  dev->driver().release(ctx);
  delete ctx;
  dev->contexts_live_.fetch_sub(1, std::memory_order_relaxed);
}

TeeDevice::TeeDevice(std::string name, TeeDriver& driver, bool privileged, platform::Memory& mem)
    : name_(std::move(name)), driver_(driver), privileged_(privileged), mem_(mem) {}

int TeeDevice::open(Process& p) {
  auto* ctx = new TeeContext;
  ctx->dev = this;
  ctx->process = &p;
  if (int rc = driver_.open(ctx)) {
    delete ctx;
    return rc;
  }
  contexts_live_.fetch_add(1, std::memory_order_relaxed);
  const int fd = p.install_fd(std::make_shared<ContextFile>(ctx));
  if (fd < 0) teedev_ctx_put(ctx);
  return fd;
}

TeeContext* TeeDevice::open_kernel_context() {
  auto* ctx = new TeeContext;
  ctx->dev = this;
  ctx->supp_nowait = true;
  if (driver_.open(ctx)) {
    delete ctx;
    return nullptr;
  }
  contexts_live_.fetch_add(1, std::memory_order_relaxed);
  return ctx;
}

}  // namespace emu::linux_tee
