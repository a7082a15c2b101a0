// UAPI conformance from the client's side only: the same source runs against the emulator (on the
// build host, label conformance) and against a real /dev/tee0 (built for arm64 and run inside the
// qemu target by tests/qemu, with TEEBENCH_TEST_TARGET=/dev/tee0). Where the two answer
// differently, one of them is wrong or the difference is written down in docs/targets.md.
#include <bench_ta.h>
#include <gtest/gtest.h>
#include <linux/tee.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "targets/target.h"
#include "teebench/tee/context.h"
#include "teebench/tee/session.h"
#include "teebench/tee/shared_memory.h"

namespace {

// A client of the target under test with an open context.
struct Uapi {
  Uapi() {
    const char* t = std::getenv("TEEBENCH_TEST_TARGET");
    targets::TargetSpec spec;
    const auto e = targets::parse_target(t && *t ? t : "emu", {}, &spec);
    EXPECT_EQ(e, "");
    target = targets::open(spec);
    dev = target->new_client();
    ctx = std::make_unique<client::Context>(*dev);
    std::string why;
    EXPECT_TRUE(ctx->open(&why).ok()) << why;
  }
  int ioctl(unsigned long req, void* arg) { return dev->ioctl(ctx->fd(), req, arg); }
  client::Session bench() {
    client::Session s;
    const auto r = client::Session::open(*ctx, client::bench_ta_uuid(), &s);
    EXPECT_TRUE(r.ok()) << client::to_string(r);
    return s;
  }
  // TEE_IOC_INVOKE on the bench TA with `nparams` params, the buffer length off by `adjust`.
  int invoke(size_t nparams, const std::function<void(tee_ioctl_param*)>& fill, size_t adjust = 0) {
    auto s = bench();
    std::vector<uint8_t> buf(sizeof(tee_ioctl_invoke_arg) + nparams * sizeof(tee_ioctl_param) + 8);
    auto* arg = reinterpret_cast<tee_ioctl_invoke_arg*>(buf.data());
    arg->num_params = static_cast<uint32_t>(nparams);
    arg->session = s.id();
    arg->func = TA_BENCH_CMD_NOP;
    fill(reinterpret_cast<tee_ioctl_param*>(buf.data() + sizeof(*arg)));
    tee_ioctl_buf_data b{reinterpret_cast<uintptr_t>(buf.data()),
                         sizeof(*arg) + nparams * sizeof(tee_ioctl_param) + adjust};
    return ioctl(TEE_IOC_INVOKE, &b);
  }
  std::unique_ptr<targets::Target> target;
  std::unique_ptr<client::Device> dev;
  std::unique_ptr<client::Context> ctx;
};

// Another client (its own open file) of the same TEE as `u`.
struct OtherClient {
  explicit OtherClient(Uapi& u) : dev(u.target->new_client()), ctx(*dev) {
    std::string why;
    EXPECT_TRUE(ctx.open(&why).ok()) << why;
  }
  int ioctl(unsigned long req, void* arg) { return dev->ioctl(ctx.fd(), req, arg); }
  std::unique_ptr<client::Device> dev;
  client::Context ctx;
};

TEST(Uapi, VersionIsOpteeWithRegisteredMemory) {
  Uapi u;
  EXPECT_EQ(u.ctx->version().impl_id, TEE_IMPL_ID_OPTEE);
  EXPECT_TRUE(u.ctx->version().gen_caps & TEE_GEN_CAP_GP);
  EXPECT_TRUE(u.ctx->version().gen_caps & TEE_GEN_CAP_REG_MEM);
  EXPECT_TRUE(u.ctx->version().impl_caps & TEE_OPTEE_CAP_TZ);
}

TEST(Uapi, UnknownIoctlIsEinval) {
  Uapi u;
  EXPECT_EQ(u.ioctl(_IO(TEE_IOC_MAGIC, 42), nullptr), -EINVAL);
}

TEST(Uapi, VersionToAWildPointerIsEfault) {
  Uapi u;
  EXPECT_EQ(u.ioctl(TEE_IOC_VERSION, reinterpret_cast<void*>(0x10)), -EFAULT);
}

TEST(Uapi, ShmAllocWithFlagsIsEinval) {
  Uapi u;
  tee_ioctl_shm_alloc_data d{4096, 1, 0};
  EXPECT_EQ(u.ioctl(TEE_IOC_SHM_ALLOC, &d), -EINVAL);
}

TEST(Uapi, ShmRegisterWithFlagsIsEinval) {
  Uapi u;
  client::UserBuffer b(*u.dev, 4096);
  tee_ioctl_shm_register_data d{reinterpret_cast<uintptr_t>(b.data()), 4096, 1, 0};
  EXPECT_EQ(u.ioctl(TEE_IOC_SHM_REGISTER, &d), -EINVAL);
}

TEST(Uapi, ShmRegisterOfLengthZeroFails) {
  Uapi u;
  client::UserBuffer b(*u.dev, 4096);
  tee_ioctl_shm_register_data d{reinterpret_cast<uintptr_t>(b.data()), 0, 0, 0};
  const int rc = u.ioctl(TEE_IOC_SHM_REGISTER, &d);
  // Linux 6.1 (the pre-6.8 driver) refuses it with EINVAL; the iov_iter pinning code of newer
  // kernels with ENOMEM (docs/targets.md, conformance table).
  const auto driver = u.target->facts().driver;
  ASSERT_TRUE(driver.has_value()) << "the target does not tell its kernel's generation";
  EXPECT_EQ(rc, driver->value == "pre-6.8" ? -EINVAL : -ENOMEM)
      << "got " << strerrorname_np(-rc) << " with the " << driver->value << " driver";
}

TEST(Uapi, InvokeBufferOverTheMaximumIsEinval) {
  Uapi u;
  EXPECT_EQ(u.invoke(
                4, [](tee_ioctl_param*) {}, TEE_MAX_ARG_SIZE),
            -EINVAL);
}

TEST(Uapi, InvokeBufferNotMatchingItsParamsIsEinval) {
  Uapi u;
  EXPECT_EQ(u.invoke(
                2, [](tee_ioctl_param*) {}, 32),
            -EINVAL);
}

TEST(Uapi, InvokeBufferAtAWildPointerIsEfault) {
  Uapi u;
  tee_ioctl_buf_data b{0xdead0000, sizeof(tee_ioctl_invoke_arg)};
  EXPECT_EQ(u.ioctl(TEE_IOC_INVOKE, &b), -EFAULT);
}

TEST(Uapi, ParamAttributeOutsideTheMaskIsEinval) {
  Uapi u;
  EXPECT_EQ(u.invoke(4, [](tee_ioctl_param* p) { p[0].attr = 0x200 | 1; }), -EINVAL);
}

TEST(Uapi, MetaParamFromUserIsEinval) {
  Uapi u;
  EXPECT_EQ(u.invoke(4,
                     [](tee_ioctl_param* p) {
                       p[0].attr =
                           TEE_IOCTL_PARAM_ATTR_META | TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT;
                     }),
            -EINVAL);
}

TEST(Uapi, MemrefToAnUnknownShmIdIsEinval) {
  Uapi u;
  EXPECT_EQ(u.invoke(4,
                     [](tee_ioctl_param* p) {
                       p[0].attr = TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT;
                       p[0].c = 0x7ffffff;  // no such shm id
                       p[0].b = 16;
                     }),
            -EINVAL);
}

TEST(Uapi, UnknownTaIsItemNotFoundFromTheTee) {
  Uapi u;
  client::Session s;
  const client::Uuid nobody =
      client::Uuid::from_fields(0x01234567, 0x89ab, 0xcdef, {1, 2, 3, 4, 5, 6, 7, 8});
  const auto r = client::Session::open(*u.ctx, nobody, &s);
  EXPECT_EQ(r.err, 0);
  EXPECT_EQ(r.code, client::kTeecErrorItemNotFound) << client::to_string(r);
  EXPECT_EQ(r.origin, client::kTeecOriginTee) << client::to_string(r);
}

TEST(Uapi, WrongParamTypesAreBadParametersFromTheTa) {
  Uapi u;
  auto s = u.bench();
  client::Operation op;
  op.params[0] = client::Param::value(client::Dir::kOut);  // VALUE expects an inout value
  const auto r = s.invoke(TA_BENCH_CMD_VALUE, &op);
  EXPECT_EQ(r.code, client::kTeecErrorBadParameters) << client::to_string(r);
  EXPECT_EQ(r.origin, client::kTeecOriginTrustedApp) << client::to_string(r);
}

TEST(Uapi, ClosedSessionIsEinval) {
  Uapi u;
  uint32_t id = 0;
  {
    auto s = u.bench();
    id = s.id();
  }  // closed
  tee_ioctl_invoke_arg a{};
  a.session = id;
  a.func = TA_BENCH_CMD_NOP;
  tee_ioctl_buf_data b{reinterpret_cast<uintptr_t>(&a), sizeof(a)};
  const int rc = u.ioctl(TEE_IOC_INVOKE, &b);
  EXPECT_EQ(rc, -EINVAL) << strerrorname_np(-rc);
}

TEST(Uapi, MoreCallersThanSecureThreadsAllComplete) {
  // Far more callers than CFG_NUM_THREADS: the driver queues them (ETHREAD_LIMIT is waited on,
  // never surfaced), every one completes.
  Uapi u;
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  constexpr int kCallers = 12;  // 6x the 2 threads of a default build
  for (int i = 0; i < kCallers; ++i)
    ts.emplace_back([&] {
      client::Session s;
      if (!client::Session::open(*u.ctx, client::bench_ta_uuid(), &s).ok()) return;
      client::Operation op;
      op.params[0] = client::Param::value(client::Dir::kIn, 5);
      ok += s.invoke(TA_BENCH_CMD_WAIT, &op).ok();
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), kCallers);
}

TEST(Uapi, OpenSessionTakesFourParamsButNotFive) {
  // The driver adds two META params (UUID, login) to the user's: 4 + 2 is the maximum.
  Uapi u;
  for (uint32_t n : {4u, 5u}) {
    std::vector<uint8_t> buf(sizeof(tee_ioctl_open_session_arg) + n * sizeof(tee_ioctl_param));
    auto* arg = reinterpret_cast<tee_ioctl_open_session_arg*>(buf.data());
    const auto uuid = client::bench_ta_uuid();
    std::memcpy(arg->uuid, uuid.octets.data(), 16);
    arg->clnt_login = TEE_IOCTL_LOGIN_PUBLIC;
    arg->num_params = n;
    tee_ioctl_buf_data b{reinterpret_cast<uintptr_t>(buf.data()), buf.size()};
    const int rc = u.ioctl(TEE_IOC_OPEN_SESSION, &b);
    if (n == 4) {
      ASSERT_EQ(rc, 0);
      EXPECT_EQ(arg->ret, client::kTeecSuccess);
      tee_ioctl_close_session_arg close{arg->session};
      EXPECT_EQ(u.ioctl(TEE_IOC_CLOSE_SESSION, &close), 0);
    } else {
      EXPECT_EQ(rc, -EINVAL) << strerrorname_np(-rc);
    }
  }
}

TEST(Uapi, SharedMemoryReleasedDuringACallStaysValidUntilItEnds) {
  // The client closes its registered buffer's fd while a call that uses it waits in the TA: the
  // kernel holds a reference for the call, so the call completes. Raw ioctls, so that nothing of
  // the client library touches the released object.
  Uapi u;
  auto s = u.bench();
  client::UserBuffer buf(*u.dev, 16384);
  tee_ioctl_shm_register_data reg{reinterpret_cast<uintptr_t>(buf.data()), buf.size(), 0, 0};
  const int fd = u.ioctl(TEE_IOC_SHM_REGISTER, &reg);
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> call(sizeof(tee_ioctl_invoke_arg) + 4 * sizeof(tee_ioctl_param));
  auto* arg = reinterpret_cast<tee_ioctl_invoke_arg*>(call.data());
  auto* p = reinterpret_cast<tee_ioctl_param*>(call.data() + sizeof(*arg));
  arg->session = s.id();
  arg->func = TA_BENCH_CMD_WAIT;
  arg->num_params = 4;
  p[0].attr = TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT;
  p[0].a = 300;  // ms in the TA
  p[1].attr = TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT;
  p[1].b = buf.size();
  p[1].c = static_cast<uint64_t>(reg.id);
  tee_ioctl_buf_data b{reinterpret_cast<uintptr_t>(call.data()), call.size()};
  int rc = -1;
  std::thread t([&] { rc = u.ioctl(TEE_IOC_INVOKE, &b); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(u.dev->close(fd), 0);  // while the call holds the memory
  t.join();
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(arg->ret, client::kTeecSuccess);
  // Registration still works afterwards: nothing was left half-released.
  client::SharedMemory again;
  EXPECT_TRUE(client::SharedMemory::register_memory(*u.ctx, buf.data(), buf.size(), &again).ok());
}

TEST(Uapi, RegisteredMemoryIsZeroCopy) {
  Uapi u;
  auto s = u.bench();
  client::UserBuffer buf(*u.dev, 3 * 4096);
  client::SharedMemory shm;
  ASSERT_TRUE(client::SharedMemory::register_memory(*u.ctx, buf.data(), buf.size(), &shm).ok());
  client::Operation w;
  w.params[0] = client::Param::memref(client::Dir::kOut, shm);
  w.params[1] = client::Param::value(client::Dir::kIn, 9);
  ASSERT_TRUE(s.invoke(TA_BENCH_CMD_MEMREF_WRITE, &w).ok());
  const auto* bytes = static_cast<const uint8_t*>(buf.data());
  for (size_t i = 0; i < buf.size(); i += 997) EXPECT_EQ(bytes[i], static_cast<uint8_t>(9 + i));
}

}  // namespace

namespace {

TEST(Uapi, AllocatedMemoryIsMappedAndSeenByTheTa) {
  // TEE_IOC_SHM_ALLOC: the driver's memory, mmap'ed through the returned fd, written by the TA.
  Uapi u;
  auto s = u.bench();
  client::SharedMemory shm;
  ASSERT_TRUE(client::SharedMemory::allocate(*u.ctx, 2 * 4096, &shm).ok());
  client::Operation w;
  w.params[0] = client::Param::memref(client::Dir::kOut, shm);
  w.params[1] = client::Param::value(client::Dir::kIn, 3);
  ASSERT_TRUE(s.invoke(TA_BENCH_CMD_MEMREF_WRITE, &w).ok());
  const auto* bytes = static_cast<const uint8_t*>(shm.data());
  for (size_t i = 0; i < shm.size(); i += 499) EXPECT_EQ(bytes[i], static_cast<uint8_t>(3 + i));
}

TEST(Uapi, SessionOfAnotherContextIsEinval) {
  // Session ids belong to the context (the file) that opened them.
  Uapi a;
  OtherClient b(a);
  auto s = a.bench();
  tee_ioctl_invoke_arg arg{};
  arg.session = s.id();
  arg.func = TA_BENCH_CMD_NOP;
  tee_ioctl_buf_data buf{reinterpret_cast<uintptr_t>(&arg), sizeof(arg)};
  const int rc = b.ioctl(TEE_IOC_INVOKE, &buf);
  EXPECT_EQ(rc, -EINVAL) << strerrorname_np(-rc);
  tee_ioctl_close_session_arg close{s.id()};
  EXPECT_EQ(b.ioctl(TEE_IOC_CLOSE_SESSION, &close), -EINVAL);
}

TEST(Uapi, ClosingASessionTwiceIsEinval) {
  Uapi u;
  tee_ioctl_close_session_arg close{};
  {
    auto s = u.bench();
    close.session = s.id();
  }  // closed once by the client library
  EXPECT_EQ(u.ioctl(TEE_IOC_CLOSE_SESSION, &close), -EINVAL);
}

TEST(Uapi, CancelOfAnUnknownSessionIsEinval) {
  Uapi u;
  tee_ioctl_cancel_arg c{1, 0x7fffffff};
  const int rc = u.ioctl(TEE_IOC_CANCEL, &c);
  EXPECT_EQ(rc, -EINVAL) << strerrorname_np(-rc);
}

TEST(Uapi, ContextsClosedWithOpenSessionsLeaveNothingBehind) {
  // Closing the file closes its sessions: contexts that go with sessions still open, many times
  // over, leave the TEE able to open as many again (a leak would exhaust OP-TEE's heap or
  // the TA's sessions).
  // Raw ioctls: the client library would close its sessions itself.
  Uapi u;
  for (int round = 0; round < 40; ++round) {  // 40 x 4 sessions: past 4.0.0's 64 KiB heap
    OtherClient c(u);
    for (int i = 0; i < 4; ++i) {
      tee_ioctl_open_session_arg arg{};
      const auto uuid = client::bench_ta_uuid();
      std::memcpy(arg.uuid, uuid.octets.data(), 16);
      arg.clnt_login = TEE_IOCTL_LOGIN_PUBLIC;
      tee_ioctl_buf_data b{reinterpret_cast<uintptr_t>(&arg), sizeof(arg)};
      ASSERT_EQ(c.ioctl(TEE_IOC_OPEN_SESSION, &b), 0) << "round " << round;
      ASSERT_EQ(arg.ret, client::kTeecSuccess) << "round " << round << ", session " << i;
    }
  }                    // the context's file closes with its 4 sessions open
  auto s = u.bench();  // and the first client still works
  EXPECT_TRUE(s.invoke(TA_BENCH_CMD_NOP).ok());
}

}  // namespace
