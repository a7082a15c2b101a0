// Probe, version and context life cycle of the OP-TEE driver (Linux optee/smc_abi.c optee_probe,
// optee/core.c). Mode selection follows the capabilities the secure world reports (reference §4.1).
#include <linux/tee.h>

#include <stdexcept>

#include "emu/abi/optee_smc.h"
#include "emu/linux_tee/optee/optee_private.h"

namespace emu::linux_tee::optee {

using namespace emu::abi;

namespace {

platform::SmcRegs fast_call(platform::SmcConduit& c, uint32_t id, uint64_t a1 = 0) {
  platform::SmcRegs r;
  r.a[0] = id;
  r.a[1] = a1;
  c.smc(r);
  return r;
}

}  // namespace

Optee::Optee(platform::SmcConduit& conduit, platform::Memory& mem, const DriverConfig& cfg)
    : conduit_(conduit), mem_(mem), cfg_(cfg) {
  probe();
}

void Optee::probe() {
  auto uid = fast_call(conduit_, OPTEE_SMC_CALLS_UID);
  for (int i = 0; i < 4; ++i)
    if (uid.a[i] != kOpteeMsgUid[i])
      throw std::runtime_error("optee: secure world API UID is not OP-TEE's (api uid mismatch)");
  auto osrev = fast_call(conduit_, OPTEE_SMC_CALL_GET_OS_REVISION);
  info_.os_revision_major = static_cast<uint32_t>(osrev.a[0]);
  info_.os_revision_minor = static_cast<uint32_t>(osrev.a[1]);
  info_.os_build_id = static_cast<uint32_t>(osrev.a[2]);
  auto rev = fast_call(conduit_, OPTEE_SMC_CALLS_REVISION);
  if (rev.a[0] != kOpteeMsgRevisionMajor)
    throw std::runtime_error("optee: api revision mismatch (need major 2)");
  auto caps = fast_call(conduit_, OPTEE_SMC_EXCHANGE_CAPABILITIES, 0);
  if (caps.a[0] != OPTEE_SMC_RETURN_OK) throw std::runtime_error("optee: capabilities mismatch");
  info_.sec_caps = static_cast<uint32_t>(caps.a[1]);
  if (info_.sec_caps & OPTEE_SMC_SEC_CAP_RPC_ARG)
    info_.rpc_param_count = static_cast<uint32_t>(caps.a[3] & 0xff);

  if (info_.sec_caps & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM) {
    // With RPC_ARG the argument pages are pre-registered and shared (CALL_WITH_REGD_ARG).
    arg_cache_shared_ = info_.sec_caps & OPTEE_SMC_SEC_CAP_RPC_ARG;
    arg_cache_priv_ = !arg_cache_shared_;
    pool_ = std::make_unique<DynamicShmPool>(
        mem_, [this](TeeShm* s) { return register_pages(s->ctx, s); },
        [this](TeeShm* s) { return shm_unregister(s->ctx, s); });
  } else if (info_.sec_caps & OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM) {
    auto shm = fast_call(conduit_, OPTEE_SMC_GET_SHM_CONFIG);
    if (shm.a[0] != OPTEE_SMC_RETURN_OK)
      throw std::runtime_error("optee: static shm service not available");
    if (shm.a[3] != OPTEE_SMC_SHM_CACHED)
      throw std::runtime_error("optee: only normal cached shared memory is supported");
    const platform::paddr_t begin =
        (shm.a[1] + platform::kPageSize - 1) & ~(platform::kPageSize - 1);
    const platform::paddr_t end = (shm.a[1] + shm.a[2]) & ~(platform::kPageSize - 1);
    if (end <= begin || !mem_.contains(begin, end - begin))
      throw std::runtime_error("optee: static shm range is not memory");
    pool_ = std::make_unique<StaticShmPool>(mem_, begin, end - begin);
    info_.static_pool = true;
    arg_cache_shared_ = true;
    arg_cache_priv_ = true;
  } else {
    throw std::runtime_error(
        "optee: secure world offers neither dynamic nor reserved shared memory: enable "
        "CFG_CORE_DYN_SHM or CFG_CORE_RESERVED_SHM");
  }

  teedev_ = std::make_unique<TeeDevice>("tee0", *this, false, mem_);
  suppdev_ = std::make_unique<TeeDevice>("teepriv0", *this, true, mem_);
  if (cfg_.gen == DriverGen::kPre6_8) {
    teedev_->set_empty_register_errno(-EINVAL);
    suppdev_->set_empty_register_errno(-EINVAL);
  }
  cq_ = std::make_unique<CallQueue>(cfg_.gen, 0);
  driver_ctx_ = teedev_->open_kernel_context();

  // Drop RPC arguments a previous kernel left cached (kexec), then cache only when the secure
  // world cannot take an RPC argument along with each call.
  for (;;) {
    auto r = fast_call(conduit_, OPTEE_SMC_DISABLE_SHM_CACHE);
    if (r.a[0] != OPTEE_SMC_RETURN_OK) break;
  }
  if (info_.rpc_param_count == 0) fast_call(conduit_, OPTEE_SMC_ENABLE_SHM_CACHE);

  if (cfg_.gen == DriverGen::k6_8) {
    auto tc = fast_call(conduit_, OPTEE_SMC_GET_THREAD_COUNT);
    info_.thread_count = tc.a[0] == OPTEE_SMC_RETURN_OK ? static_cast<uint32_t>(tc.a[1]) : 0;
    cq_ = std::make_unique<CallQueue>(cfg_.gen, info_.thread_count);
  }
}

Optee::~Optee() {
  if (info_.rpc_param_count == 0) {
    for (;;) {
      auto r = fast_call(conduit_, OPTEE_SMC_DISABLE_SHM_CACHE);
      if (r.a[0] != OPTEE_SMC_RETURN_OK) break;
      const uint64_t cookie = (r.a[1] << 32) | (r.a[2] & 0xffffffffu);
      put_rpc_alloc(reinterpret_cast<TeeShm*>(cookie));
    }
  }
  // What is still out belonged to a secure world that will never hand it back (a destroyed
  // guest's partition): the guest's RAM goes with it.
  for (TeeShm* shm : std::set<TeeShm*>(rpc_alloc_)) put_rpc_alloc(shm);
  // The driver is going away: its argument pages are not unregistered one by one (that would need
  // an argument page itself); the secure world drops them with the driver, as after a reboot.
  // Dropping a page can release a context it pinned (the ctx-pinned defect), whose session close
  // takes a new page: go round until none is left.
  for (;;) {
    std::vector<ArgCacheEntry> entries;
    {
      std::lock_guard g(arg_cache_lock_);
      entries.swap(arg_cache_);
    }
    if (entries.empty()) break;
    for (auto& e : entries) {
      e.shm->sec_world_id = 0;
      teedev_->shm_put(e.shm);
    }
  }
  teedev_ctx_put(driver_ctx_);
}

void Optee::get_version(tee_ioctl_version_data* v) {
  v->impl_id = TEE_IMPL_ID_OPTEE;
  v->impl_caps = TEE_OPTEE_CAP_TZ;
  if (cfg_.ocall) v->impl_caps |= kTeeOpteeCapOcall;
  v->gen_caps = TEE_GEN_CAP_GP;
  if (info_.sec_caps & OPTEE_SMC_SEC_CAP_DYNAMIC_SHM) v->gen_caps |= TEE_GEN_CAP_REG_MEM;
  if (info_.sec_caps & OPTEE_SMC_SEC_CAP_MEMREF_NULL) v->gen_caps |= TEE_GEN_CAP_MEMREF_NULL;
}

int Optee::open(TeeContext* ctx) {
  if (ctx->dev == suppdev_.get()) return supp_.attach(ctx);
  ctx->data = new ContextData;
  ctx->cap_memref_null = info_.sec_caps & OPTEE_SMC_SEC_CAP_MEMREF_NULL;
  return 0;
}

void Optee::release(TeeContext* ctx) {
  if (ctx->dev == suppdev_.get()) return supp_.release(ctx);
  auto* data = static_cast<ContextData*>(ctx->data);
  std::vector<uint32_t> sessions;
  std::vector<std::unique_ptr<OcallCall>> ocalls;
  {
    std::lock_guard g(data->lock);
    sessions.swap(data->sessions);
    for (auto& [id, oc] : data->ocalls) ocalls.push_back(std::move(oc));
    data->ocalls.clear();
  }
  for (auto& oc : ocalls) ocall_cancel(ctx, std::move(oc));
  // optee_release_helper: close what the client left open.
  for (uint32_t s : sessions) close_session_helper(ctx, s);
  delete data;
  ctx->data = nullptr;
}

int Optee::supp_recv(TeeContext* ctx, uint32_t* func, uint32_t* num_params, TeeParam* params) {
  return supp_.recv(ctx, func, num_params, params);
}

int Optee::supp_send(TeeContext* ctx, uint32_t ret, uint32_t num_params, TeeParam* params) {
  return supp_.send(ctx, ret, num_params, params);
}

size_t Optee::arg_cache_pages() const {
  std::lock_guard g(arg_cache_lock_);
  return arg_cache_.size();
}

}  // namespace emu::linux_tee::optee
