// Parameter limits (reference §1.3, §3.5): libteec's 4, the driver's 6 (open: 4 + 2 meta), OP-TEE's
// TEE_NUM_PARAMS 4, and the TEEC results each limit produces.
#include "support/emu_stack.h"

namespace {

using testing_support::EmuStack;
using testing_support::RawCall;

struct Limit {
  size_t nparams;
  int expected_rc;        // ioctl result
  uint32_t expected_ret;  // TEEC result when the ioctl succeeded
  uint32_t expected_origin;
};

void PrintTo(const Limit& l, std::ostream* os) { *os << l.nparams << " params"; }

class InvokeParamCount : public ::testing::TestWithParam<Limit> {};

TEST_P(InvokeParamCount, ReachesTheLayerThatRejectsIt) {
  const Limit l = GetParam();
  EmuStack s;
  auto session = s.open_bench();
  RawCall<tee_ioctl_invoke_arg> c(l.nparams);
  c.arg()->session = session.id();
  c.arg()->func = TA_BENCH_CMD_NOP;
  EXPECT_EQ(testing_support::raw_invoke(*s.ctx, c), l.expected_rc);
  if (l.expected_rc == 0) {
    EXPECT_EQ(c.arg()->ret, l.expected_ret);
    EXPECT_EQ(c.arg()->ret_origin, l.expected_origin);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Limits, InvokeParamCount,
    ::testing::Values(Limit{0, 0, client::kTeecSuccess, client::kTeecOriginTrustedApp},
                      Limit{4, 0, client::kTeecSuccess, client::kTeecOriginTrustedApp},
                      // The driver passes 5 and 6; OP-TEE's copy_in_params refuses more than 4.
                      Limit{5, 0, client::kTeecErrorBadParameters, client::kTeecOriginTee},
                      Limit{6, 0, client::kTeecErrorBadParameters, client::kTeecOriginTee},
                      // MAX_ARG_PARAM_COUNT: the driver refuses 7 and more.
                      Limit{7, -EINVAL, 0, 0}, Limit{30, -EINVAL, 0, 0},
                      // TEE_MAX_ARG_SIZE: 24 + 32 * 32 > 1024, refused by the core.
                      Limit{32, -EINVAL, 0, 0}),
    [](const auto& p) { return "params_" + std::to_string(p.param.nparams); });

TEST(OpenParamCount, FourUserParamsPlusTwoMetaIsTheMaximum) {
  EmuStack s;
  RawCall<tee_ioctl_open_session_arg> four(4);
  EXPECT_EQ(testing_support::raw_open(*s.ctx, four, client::bench_ta_uuid()), 0);
  EXPECT_EQ(four.arg()->ret, client::kTeecSuccess);
  RawCall<tee_ioctl_open_session_arg> five(5);
  EXPECT_EQ(testing_support::raw_open(*s.ctx, five, client::bench_ta_uuid()), -EINVAL);
  tee_ioctl_close_session_arg close{four.arg()->session};
  EXPECT_EQ(s.dev->ioctl(s.ctx->fd(), TEE_IOC_CLOSE_SESSION, &close), 0);
}

TEST(OpenSession, UnknownTaIsItemNotFoundFromTee) {
  EmuStack s;
  client::Session session;
  const auto r = client::Session::open(
      *s.ctx, *client::Uuid::parse("00000000-0000-0000-0000-000000000001"), &session);
  EXPECT_EQ(r.err, 0);
  EXPECT_EQ(r.code, client::kTeecErrorItemNotFound);
  EXPECT_EQ(r.origin, client::kTeecOriginTee);
}

TEST(Invoke, TaRejectsWrongParamTypesWithOriginTa) {
  EmuStack s;
  auto session = s.open_bench();
  const auto r = session.invoke(TA_BENCH_CMD_VALUE);  // needs a VALUE_INOUT
  EXPECT_EQ(r.code, client::kTeecErrorBadParameters);
  EXPECT_EQ(r.origin, client::kTeecOriginTrustedApp);
}

TEST(Invoke, ValueOutputIsNotCopiedIn) {
  EmuStack s;
  auto session = s.open_bench();
  RawCall<tee_ioctl_invoke_arg> c(4);
  c.arg()->session = session.id();
  c.arg()->func = TA_BENCH_CMD_MEMREF_READ;
  client::SharedMemory shm;
  ASSERT_TRUE(client::SharedMemory::allocate(*s.ctx, 4096, &shm).ok());
  std::memset(shm.data(), 1, 4096);
  c.params()[0] = {TEE_IOCTL_PARAM_ATTR_TYPE_MEMREF_INPUT, 0, 100, uint64_t(shm.id())};
  c.params()[1] = {TEE_IOCTL_PARAM_ATTR_TYPE_VALUE_OUTPUT, 111, 222, 333};
  ASSERT_EQ(testing_support::raw_invoke(*s.ctx, c), 0);
  EXPECT_EQ(c.arg()->ret, client::kTeecSuccess);
  EXPECT_EQ(c.params()[1].a, 100u);  // the checksum of 100 bytes of 1
  EXPECT_EQ(c.params()[1].b, 100u);
  EXPECT_EQ(c.params()[1].c, 0u);
}

}  // namespace
