#include "emu/supplicant/tee_supplicant.h"

#include <bench_ta.h>
#include <linux/tee.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include "emu/abi/optee_msg.h"
#include "emu/platform/ta_image.h"

extern "C" {
#include "tee_plugin_method.h"
extern struct plugin_method bench_plugin_method;
}

namespace emu::supplicant {

using namespace emu::abi;

namespace {

constexpr uint32_t kRpcNumParams = 5;      // RPC_NUM_PARAMS: one META plus four
constexpr uint32_t kSuppPluginInvoke = 0;  // OPTEE_RPC_SUPP_PLUGIN_INVOKE

using TaDir = std::map<std::array<uint8_t, 16>, std::vector<uint8_t>>;

// /lib/optee_armtz of every emulated machine: the benchmark TA kinds' files by UUID octets,
// made once per process (the files do not change; the page cache would keep them too).
const TaDir& installed_tas() {
  static const TaDir dir = [] {
    TaDir d;
    const TEEC_UUID kinds[] = {TA_BENCH_UUID, TA_BENCH_SINGLE_INSTANCE_UUID,
                               TA_BENCH_MULTI_SESSION_UUID, TA_BENCH_KEEP_ALIVE_UUID,
                               TA_BENCH_CONCURRENT_UUID};
    for (const auto& u : kinds)
      d[platform::uuid_octets(u)] = platform::make_ta_image(platform::uuid_octets(u));
    return d;
  }();
  return dir;
}

// A supplicant request buffer: the header, then room for kRpcNumParams params.
template <typename Hdr>
struct ArgBuf {
  alignas(8) uint8_t bytes[sizeof(Hdr) + kRpcNumParams * sizeof(tee_ioctl_param)] = {};
  Hdr& hdr() { return *reinterpret_cast<Hdr*>(bytes); }
  tee_ioctl_param* params() { return reinterpret_cast<tee_ioctl_param*>(bytes + sizeof(Hdr)); }
  tee_ioctl_buf_data data(uint32_t n) {
    return {reinterpret_cast<uintptr_t>(bytes), sizeof(Hdr) + n * sizeof(tee_ioctl_param)};
  }
};

}  // namespace

const std::vector<const plugin_method*>& TeeSupplicant::plugins() {
  static const std::vector<const plugin_method*> p = [] {
    std::vector<const plugin_method*> v = {&bench_plugin_method};
    for (const auto* m : v) m->init();
    return v;
  }();
  return p;
}

TeeSupplicant::TeeSupplicant(linux_tee::TeeDevice& teepriv, platform::Memory& mem,
                             std::function<void()> signal)
    : proc_(mem), dev_(teepriv), signal_(std::move(signal)) {
  fd_ = dev_.open(proc_);
  if (fd_ < 0)
    throw std::runtime_error("tee-supplicant: cannot open " + dev_.name() + ": " +
                             std::strerror(-fd_));
  plugins();
  installed_tas();
  tee_ioctl_version_data v{};
  if (ioctl(TEE_IOC_VERSION, &v) == 0) reg_mem_ = v.gen_caps & TEE_GEN_CAP_REG_MEM;
  std::lock_guard g(lock_);
  threads_.emplace_back([this] { serve(); });
}

TeeSupplicant::~TeeSupplicant() {
  {
    std::lock_guard g(lock_);
    stopping_ = true;
  }
  signal_();
  // Threads spawned while stopping see stopping_; keep joining until none is left.
  for (;;) {
    std::vector<std::thread> ts;
    {
      std::lock_guard g(lock_);
      ts.swap(threads_);
    }
    if (ts.empty()) break;
    for (auto& t : ts) t.join();
  }
  proc_.exit();
}

size_t TeeSupplicant::threads() const {
  std::lock_guard g(lock_);
  return threads_.size();
}

long TeeSupplicant::ioctl(unsigned int cmd, void* arg) {
  auto f = proc_.get_file(fd_);
  if (!f) return -EBADF;
  return f->ioctl(proc_, cmd, reinterpret_cast<uintptr_t>(arg));
}

void TeeSupplicant::serve() {
  for (;;) {
    ArgBuf<tee_iocl_supp_recv_arg> rb;
    rb.hdr().num_params = kRpcNumParams;
    rb.params()[0].attr = TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT | TEE_IOCTL_PARAM_ATTR_META;
    tee_ioctl_buf_data bd = rb.data(kRpcNumParams);
    {
      std::lock_guard g(lock_);
      if (stopping_) return;
      ++idle_;
    }
    const long rc = ioctl(TEE_IOC_SUPPL_RECV, &bd);
    {
      std::lock_guard g(lock_);
      --idle_;
      if (rc || stopping_) {
        if (rc == -EINTR || stopping_) return;
        continue;
      }
      // The last idle thread took this request: start another so the next one does not wait.
      if (idle_ == 0) threads_.emplace_back([this] { serve(); });
    }
    const uint32_t n = rb.hdr().num_params;
    const uint32_t ret = handle(rb.hdr().func, n - 1, &rb.params()[1]);
    ArgBuf<tee_iocl_supp_send_arg> sb;
    sb.hdr().ret = ret;
    sb.hdr().num_params = n;
    // The META id goes back as it came; the rest carry the answer.
    std::memcpy(sb.params(), rb.params(), sizeof(tee_ioctl_param) * n);
    tee_ioctl_buf_data sbd = sb.data(n);
    served_++;  // before the answer, so whoever it wakes sees the count
    ioctl(TEE_IOC_SUPPL_SEND, &sbd);
  }
}

uint32_t TeeSupplicant::handle(uint32_t func, uint32_t num_params, void* params) {
  auto* p = static_cast<tee_ioctl_param*>(params);
  switch (func) {
    case OPTEE_RPC_CMD_SHM_ALLOC:
      if (num_params != 1) return kTeeErrorBadParameters;
      return shm_alloc(p);
    case OPTEE_RPC_CMD_SHM_FREE:
      if (num_params != 1) return kTeeErrorBadParameters;
      return shm_free(p);
    case OPTEE_RPC_CMD_SUPP_PLUGIN:
      return plugin(num_params, p);
    case OPTEE_RPC_CMD_LOAD_TA:
      return load_ta(num_params, p);
    default:
      return kTeeErrorNotSupported;
  }
}

// With REG_MEM: page-aligned memory of its own, registered; without (a static carve-out only):
// allocated from the driver's pool and mapped (tee_supplicant.c process_alloc).
uint32_t TeeSupplicant::shm_alloc(void* params) {
  auto* p = static_cast<tee_ioctl_param*>(params);
  const size_t len = p->b;
  if (len == 0) return kTeeErrorBadParameters;
  if (!reg_mem_) return shm_alloc_pool(p);
  int err = 0;
  void* addr = proc_.mm().map_anonymous(len, &err);
  if (!addr) return kTeeErrorOutOfMemory;
  tee_ioctl_shm_register_data reg{};
  reg.addr = reinterpret_cast<uintptr_t>(addr);
  reg.length = len;
  const long shm_fd = ioctl(TEE_IOC_SHM_REGISTER, &reg);
  if (shm_fd < 0) {
    proc_.mm().unmap(addr, len);
    return kTeeErrorOutOfMemory;
  }
  {
    std::lock_guard g(lock_);
    shms_[reg.id] = Buffer{addr, len, static_cast<int>(shm_fd)};
  }
  p->c = static_cast<uint64_t>(reg.id);
  return kTeeSuccess;
}

uint32_t TeeSupplicant::shm_alloc_pool(void* params) {
  auto* p = static_cast<tee_ioctl_param*>(params);
  tee_ioctl_shm_alloc_data data{};
  data.size = p->b;
  const long shm_fd = ioctl(TEE_IOC_SHM_ALLOC, &data);
  if (shm_fd < 0) return kTeeErrorOutOfMemory;
  void* addr = nullptr;
  auto f = proc_.get_file(static_cast<int>(shm_fd));
  if (!f || f->mmap(proc_, static_cast<size_t>(data.size), f, &addr) != 0) {
    proc_.close_fd(static_cast<int>(shm_fd));
    return kTeeErrorOutOfMemory;
  }
  {
    std::lock_guard g(lock_);
    shms_[data.id] = Buffer{addr, static_cast<size_t>(data.size), static_cast<int>(shm_fd)};
  }
  p->c = static_cast<uint64_t>(data.id);
  return kTeeSuccess;
}

uint32_t TeeSupplicant::shm_free(void* params) {
  auto* p = static_cast<tee_ioctl_param*>(params);
  Buffer b;
  {
    std::lock_guard g(lock_);
    auto it = shms_.find(static_cast<int>(p->b));
    if (it == shms_.end()) return kTeeErrorBadParameters;
    b = it->second;
    shms_.erase(it);
  }
  proc_.close_fd(b.fd);
  proc_.mm().unmap(b.addr, b.len);
  return kTeeSuccess;
}

// plugin_process: exactly VALUE_IN, VALUE_IN, VALUE_INOUT, MEMREF_INOUT; the UUID rebuilt from
// four little-endian words.
uint32_t TeeSupplicant::plugin(uint32_t num_params, void* params) {
  auto* p = static_cast<tee_ioctl_param*>(params);
  if (num_params != 4 || p[0].attr != TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT ||
      p[1].attr != TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT ||
      p[2].attr != TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT ||
      p[3].attr != TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INOUT || p[0].a != kSuppPluginInvoke)
    return kTeeErrorBadParameters;
  const uint32_t words[4] = {static_cast<uint32_t>(p[0].b), static_cast<uint32_t>(p[0].c),
                             static_cast<uint32_t>(p[1].a), static_cast<uint32_t>(p[1].b)};
  TEEC_UUID uuid;
  std::memcpy(&uuid, words, sizeof(uuid));
  const plugin_method* m = nullptr;
  for (const auto* c : plugins())
    if (std::memcmp(&c->uuid, &uuid, sizeof(uuid)) == 0) m = c;
  if (!m) return kTeeErrorItemNotFound;
  uint8_t* data = nullptr;
  if (p[3].c != TEE_MEMREF_NULL) {
    std::lock_guard g(lock_);
    auto it = shms_.find(static_cast<int>(p[3].c));
    if (it == shms_.end() || p[3].a + p[3].b > it->second.len) return kTeeErrorBadParameters;
    data = static_cast<uint8_t*>(it->second.addr) + p[3].a;
  }
  size_t out_len = 0;
  const uint32_t res = m->invoke(static_cast<unsigned>(p[1].c), static_cast<unsigned>(p[2].a), data,
                                 static_cast<size_t>(p[3].b), &out_len);
  p[2].b = out_len;
  return res;
}

// load_ta: VALUE_INPUT with the UUID's octets in a and b, MEMREF_OUTPUT for the file. Without a
// buffer it only says the size; with one too small it says the size and SHORT_BUFFER.
uint32_t TeeSupplicant::load_ta(uint32_t num_params, void* params) {
  auto* p = static_cast<tee_ioctl_param*>(params);
  if (num_params != 2 || p[0].attr != TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT ||
      p[1].attr != TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_OUTPUT)
    return kTeeErrorBadParameters;
  std::array<uint8_t, 16> uuid;
  std::memcpy(uuid.data(), &p[0].a, 8);
  std::memcpy(uuid.data() + 8, &p[0].b, 8);
  const auto ta = installed_tas().find(uuid);
  if (ta == installed_tas().end()) return kTeeErrorItemNotFound;
  const std::vector<uint8_t>& file = ta->second;
  const uint64_t room = p[1].b;
  p[1].b = file.size();
  if (p[1].c == TEE_MEMREF_NULL) return kTeeSuccess;
  std::lock_guard g(lock_);
  auto it = shms_.find(static_cast<int>(p[1].c));
  if (it == shms_.end() || p[1].a + room > it->second.len) return kTeeErrorBadParameters;
  if (file.size() > room) return kTeeErrorShortBuffer;
  std::memcpy(static_cast<uint8_t*>(it->second.addr) + p[1].a, file.data(), file.size());
  return kTeeSuccess;
}

}  // namespace emu::supplicant
