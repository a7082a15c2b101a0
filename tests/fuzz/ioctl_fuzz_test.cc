// A seeded random loop throwing random ioctl numbers and argument bytes at the emulated device
// (run under ASan+UBSan in the sanitizer configuration): every call must return a result or an
// errno, never crash, and leave nothing behind once its fds are closed.
#include <random>
#include <set>

#include "support/emu_stack.h"
#include "teebench/tee/shared_memory.h"

namespace {

using testing_support::EmuStack;

constexpr unsigned long kRequests[] = {
    TEE_IOC_VERSION,      TEE_IOC_SHM_ALLOC,     TEE_IOC_OPEN_SESSION,   TEE_IOC_INVOKE,
    TEE_IOC_CANCEL,       TEE_IOC_CLOSE_SESSION, TEE_IOC_SUPPL_RECV,     TEE_IOC_SUPPL_SEND,
    TEE_IOC_SHM_REGISTER, _IO(TEE_IOC_MAGIC, 8), _IO(TEE_IOC_MAGIC, 10), 0};

class Fuzzer {
 public:
  Fuzzer(EmuStack& s, uint64_t seed) : s_(s), rng_(seed), buffer_(*s.dev, 64 * 1024) {}

  void step() {
    const unsigned long req = kRequests[pick(std::size(kRequests))];
    // Argument bytes: random, but with some fields steered at valid values so the fuzzer gets
    // past the first checks.
    alignas(8) uint8_t arg[64];
    for (auto& b : arg) b = static_cast<uint8_t>(rng_());
    alignas(8) uint8_t payload[1100];
    for (auto& b : payload) b = static_cast<uint8_t>(rng_());
    if (req == TEE_IOC_OPEN_SESSION || req == TEE_IOC_INVOKE || req == TEE_IOC_SUPPL_RECV ||
        req == TEE_IOC_SUPPL_SEND) {
      auto* bd = reinterpret_cast<tee_ioctl_buf_data*>(arg);
      const uint32_t nparams = static_cast<uint32_t>(pick(8));
      const size_t fixed = req == TEE_IOC_OPEN_SESSION ? sizeof(tee_ioctl_open_session_arg)
                           : req == TEE_IOC_INVOKE     ? sizeof(tee_ioctl_invoke_arg)
                                                       : 8;
      if (pick(4)) {
        bd->buf_ptr = reinterpret_cast<uintptr_t>(payload);
        bd->buf_len = pick(3) ? fixed + 32 * nparams : rng_() % 2048;
        std::memcpy(payload + fixed - 4, &nparams, 4);  // num_params is the last field
        if (req == TEE_IOC_OPEN_SESSION && pick(2)) {
          auto uuid = client::bench_ta_uuid();
          std::memcpy(payload, uuid.octets.data(), 16);
          std::memset(payload + 32, 0, 4);  // PUBLIC login
        }
        if (req == TEE_IOC_INVOKE && pick(2)) std::memcpy(payload + 4, &last_session_, 4);
        steer_params(payload + fixed, nparams);
      }
    } else if (req == TEE_IOC_SHM_REGISTER && pick(2)) {
      auto* d = reinterpret_cast<tee_ioctl_shm_register_data*>(arg);
      d->addr = reinterpret_cast<uintptr_t>(buffer_.data()) + rng_() % (buffer_.size() + 8192);
      d->length = rng_() % (buffer_.size() + 4096);
      if (pick(2)) d->flags = 0;
    } else if (req == TEE_IOC_SHM_ALLOC && pick(2)) {
      auto* d = reinterpret_cast<tee_ioctl_shm_alloc_data*>(arg);
      d->size = rng_() % (1 << 20);
      if (pick(2)) d->flags = 0;
    }
    const int fd = pick(10) ? s_.ctx->fd() : static_cast<int>(rng_() % 64) - 8;
    const int rc = s_.dev->ioctl(fd, req, pick(20) ? static_cast<void*>(arg) : nullptr);
    if (rc >= 0 && (req == TEE_IOC_SHM_ALLOC || req == TEE_IOC_SHM_REGISTER)) shm_fds_.insert(rc);
    if (rc == 0 && req == TEE_IOC_OPEN_SESSION)
      last_session_ = reinterpret_cast<tee_ioctl_open_session_arg*>(payload)->session;
    if (rc < 0)
      errnos_.insert(-rc);
    else
      successes_++;
    // Close some shm fds as we go, sometimes after mapping them.
    if (!shm_fds_.empty() && pick(3) == 0) {
      const int sfd = *shm_fds_.begin();
      int err = 0;
      if (void* p = s_.dev->mmap(sfd, 4096, &err)) s_.dev->munmap(p, 4096);
      s_.dev->close(sfd);
      shm_fds_.erase(shm_fds_.begin());
    }
  }

  void close_all() {
    for (int fd : shm_fds_) s_.dev->close(fd);
    shm_fds_.clear();
  }
  const std::set<int>& errnos() const { return errnos_; }
  int successes() const { return successes_; }

 private:
  size_t pick(size_t n) { return static_cast<size_t>(rng_() % n); }

  void steer_params(uint8_t* p, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      auto* ip = reinterpret_cast<tee_ioctl_param*>(p + 32 * i);
      if (pick(2)) ip->attr = pick(9);
      if (!shm_fds_.empty() && pick(2)) ip->c = pick(8);  // plausible shm ids
      if (pick(2)) ip->a %= 8192;
      if (pick(2)) ip->b %= 8192;
    }
  }

  EmuStack& s_;
  std::mt19937_64 rng_;
  client::UserBuffer buffer_;
  std::set<int> shm_fds_;
  std::set<int> errnos_;
  uint32_t last_session_ = 1;
  int successes_ = 0;
};

TEST(IoctlFuzz, RandomArgumentsGiveErrorsNotCrashesOrLeaks) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    EmuStack s(testing_support::config({"threads=2"}));
    {
      Fuzzer f(s, seed);
      for (int i = 0; i < 4000; ++i) f.step();
      f.close_all();
      // The steering must get calls past the first checks, or the fuzzer tests nothing deep.
      EXPECT_GT(f.successes(), 200) << "seed " << seed;
      for (int e : f.errnos())
        EXPECT_TRUE(e == EINVAL || e == EFAULT || e == ENOMEM || e == EBADF || e == EPERM ||
                    e == ENOTTY)
            << "unexpected errno " << e << " (seed " << seed << ")";
    }
    s.ctx->close();  // releases every session the fuzzer opened
    EXPECT_EQ(s.machine->tee0().shm_count(), 0u) << "seed " << seed;
    EXPECT_EQ(s.machine->optee_os().ta_manager().session_count(), 0u) << "seed " << seed;
    EXPECT_TRUE(s.machine->optee_os().threads().all_free()) << "seed " << seed;
    // Only the driver's own argument pages stay registered in OP-TEE.
    EXPECT_EQ(s.machine->optee_os().reg_shm().count(), s.machine->driver().arg_cache_pages());
  }
}

}  // namespace
