// The in-thread OCALL protocol (reference §7.1): capability, round trips with shared buffers, the
// request/reply state machine, and cancellation by session close, context close and client death.
#include <linux/tee.h>

#include "support/emu_stack.h"
#include "teebench/tee/bench_ocall.h"

namespace {

using testing_support::EmuStack;
using testing_support::RawCall;

constexpr uint64_t kDesc = TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INOUT | TEE_IOCTL_PARAM_ATTR_META;

client::Result ocall(client::Session& s, uint32_t bytes, uint32_t calls, uint32_t* good) {
  client::Operation op;
  op.params[0] = client::Param::value(client::Dir::kIn, bytes, calls);
  op.params[1] = client::Param::value(client::Dir::kOut);
  const auto r = s.invoke(TA_BENCH_CMD_OCALL, &op, client::bench_ocall_handler);
  *good = op.params[1].a();
  return r;
}

TEST(Ocall, CapabilityIsAdvertised) {
  EmuStack s;
  tee_ioctl_version_data v{};
  ASSERT_EQ(s.dev->ioctl(s.ctx->fd(), TEE_IOC_VERSION, &v), 0);
  EXPECT_TRUE(v.impl_caps & emu::linux_tee::optee::kTeeOpteeCapOcall);
}

struct RoundTrip {
  uint32_t bytes;
  uint32_t calls;
};
class OcallRoundTrip : public ::testing::TestWithParam<RoundTrip> {};

TEST_P(OcallRoundTrip, EveryAnswerReachesTheTa) {
  EmuStack s;
  auto session = s.open_bench();
  uint32_t good = 0;
  const auto r = ocall(session, GetParam().bytes, GetParam().calls, &good);
  ASSERT_TRUE(r.ok()) << client::to_string(r);
  EXPECT_EQ(good, GetParam().calls);
  EXPECT_TRUE(s.machine->optee_os().all_threads_free());
  EXPECT_EQ(s.machine->tee0().shm_count(), 0u);  // every lent buffer came back
}

INSTANTIATE_TEST_SUITE_P(Sizes, OcallRoundTrip,
                         ::testing::Values(RoundTrip{0, 1}, RoundTrip{0, 16}, RoundTrip{1, 1},
                                           RoundTrip{4096, 4}, RoundTrip{65536, 2}));

// Starts an OCALL invoke by hand and leaves it pending: the ioctl returns with the request.
void start_pending(client::Context& ctx, client::Session& s, RawCall<tee_ioctl_invoke_arg>* c) {
  c->arg()->func = TA_BENCH_CMD_OCALL;
  c->arg()->session = s.id();
  c->params()[0] = {TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_INPUT, 0, 1, 0};
  c->params()[1] = {TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 0, 0, 0};
  c->params()[3] = {kDesc, 0, 0, 0};
  ASSERT_EQ(testing_support::raw_invoke(ctx, *c), 0);
  ASSERT_EQ(c->params()[3].a >> 32, emu::linux_tee::optee::kOcallCmdInvoke);
  ASSERT_EQ(c->arg()->func, static_cast<uint32_t>(TA_BENCH_OCALL_INC));
}

TEST(Ocall, StateMachineTable) {
  EmuStack s;
  auto session = s.open_bench();
  auto& threads = s.machine->optee_os().threads();
  {
    // A reply naming an OCALL that does not exist, or the wrong function: refused.
    RawCall<tee_ioctl_invoke_arg> c(4);
    start_pending(*s.ctx, session, &c);
    EXPECT_EQ(testing_support::suspended_count(threads), 1u);
    const uint64_t pending = c.params()[3].a;
    c.params()[3].a = pending + 7;
    EXPECT_EQ(testing_support::raw_invoke(*s.ctx, c), -EINVAL);
    c.params()[3].a =
        (uint64_t{emu::linux_tee::optee::kOcallCmdShmFree} << 32) | (pending & 0xffffffff);
    EXPECT_EQ(testing_support::raw_invoke(*s.ctx, c), -EINVAL);
    // The right reply: value incremented, origin the client's; the call then ends.
    c.params()[3].a = pending;
    c.params()[0].a += 1;
    c.arg()->ret = 0;
    c.arg()->ret_origin = client::kTeecOriginClientApp;
    ASSERT_EQ(testing_support::raw_invoke(*s.ctx, c), 0);
    EXPECT_EQ(c.params()[3].a, 0u);
    EXPECT_EQ(c.arg()->ret, 0u);
    EXPECT_EQ(c.params()[1].a, 1u);  // the TA saw the right answer
    EXPECT_TRUE(threads.all_free());
  }
  {
    // A plain invoke on the session while an OCALL is pending: -EINVAL, and the OCALL is
    // cancelled (the TA's call ends with TARGET_DEAD).
    RawCall<tee_ioctl_invoke_arg> c(4);
    start_pending(*s.ctx, session, &c);
    EXPECT_EQ(session.invoke(TA_BENCH_CMD_NOP).err, EINVAL);
    EXPECT_TRUE(threads.all_free());
    EXPECT_TRUE(session.invoke(TA_BENCH_CMD_NOP).ok());
  }
  {
    // A client handler failing: its result, not the protocol's, reaches the TA.
    client::Operation op;
    op.params[0] = client::Param::value(client::Dir::kIn, 0, 1);
    op.params[1] = client::Param::value(client::Dir::kOut);
    const auto r = session.invoke(TA_BENCH_CMD_OCALL, &op,
                                  [](uint32_t, std::span<client::OcallParam>) -> uint32_t {
                                    return client::kTeecErrorAccessDenied;
                                  });
    EXPECT_EQ(r.code, client::kTeecErrorAccessDenied);
    EXPECT_TRUE(threads.all_free());
  }
}

TEST(Ocall, SessionCloseCancelsThePendingOcall) {
  EmuStack s;
  auto session = s.open_bench();
  RawCall<tee_ioctl_invoke_arg> c(4);
  start_pending(*s.ctx, session, &c);
  EXPECT_EQ(testing_support::suspended_count(s.machine->optee_os().threads()), 1u);
  EXPECT_TRUE(session.close().ok());
  EXPECT_TRUE(s.machine->optee_os().threads().all_free());
  EXPECT_EQ(s.machine->optee_os().ta_manager().session_count(), 0u);
}

// A client dying mid-OCALL with a tmpref (registered for the call) in the invocation: the fd close
// cancels the OCALL first, so the registration can go afterwards. Nothing is left behind.
TEST(Ocall, ClientDeathMidOcallReleasesItsSecureThread) {
  EmuStack s(testing_support::config({"threads=2"}));
  auto& os = s.machine->optee_os();
  auto victim = std::make_unique<testing_support::Client>(s.machine, s.machine->kernel());
  auto vs = victim->open_bench();
  std::vector<uint8_t> held(3 * 4096);
  client::Operation op;
  op.params[0] = client::Param::value(client::Dir::kIn, 0, 1);
  op.params[1] = client::Param::value(client::Dir::kOut);
  op.params[2] = client::Param::tmpref(client::Dir::kIn, held.data(), held.size());
  auto* dev = victim->dev.get();
  const auto r = vs.invoke(TA_BENCH_CMD_OCALL, &op,
                           [dev](uint32_t, std::span<client::OcallParam>) -> uint32_t {
                             dev->kill();  // the client crashes inside its OCALL handler
                             return 0;
                           });
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(os.threads().all_free());
  EXPECT_EQ(os.ta_manager().session_count(), 0u);
  // Only the driver's argument pages stay registered: the tmpref went with the process.
  EXPECT_EQ(os.reg_shm().count(), s.machine->driver().arg_cache_pages());
  // Other clients carry on.
  auto other = s.open_bench();
  uint32_t good = 0;
  EXPECT_TRUE(ocall(other, 4096, 2, &good).ok());
  EXPECT_EQ(good, 2u);
}

TEST(Ocall, WithoutTheCapabilityTheDescriptorIsRefused) {
  auto cfg = testing_support::config();
  cfg.driver.ocall = false;
  EmuStack s(cfg);
  auto session = s.open_bench();
  RawCall<tee_ioctl_invoke_arg> c(4);
  c.arg()->func = TA_BENCH_CMD_OCALL;
  c.arg()->session = session.id();
  c.params()[3] = {kDesc, 0, 0, 0};
  EXPECT_EQ(testing_support::raw_invoke(*s.ctx, c), -EOPNOTSUPP);
  // An OCALL the TA makes on a plain invoke is answered NOT_SUPPORTED for it.
  uint32_t good = 0;
  client::Operation op;
  op.params[0] = client::Param::value(client::Dir::kIn, 0, 1);
  op.params[1] = client::Param::value(client::Dir::kOut);
  EXPECT_EQ(session.invoke(TA_BENCH_CMD_OCALL, &op).code, client::kTeecErrorNotSupported);
  (void)good;
}

}  // namespace
