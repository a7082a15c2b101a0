#include "teebench/tee/result.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace {

struct Row {
  int err;
  uint32_t code;
};

void PrintTo(const Row& r, std::ostream* os) { *os << "errno " << r.err; }

class ErrnoToTeec : public ::testing::TestWithParam<Row> {};

// libteec's mapping of a failed ioctl (reference §1.5): origin is always COMMS.
TEST_P(ErrnoToTeec, MapsAsLibteecDoes) {
  const auto r = client::Result::from_errno(GetParam().err);
  EXPECT_EQ(r.err, GetParam().err);
  EXPECT_EQ(r.code, GetParam().code);
  EXPECT_EQ(r.origin, client::kTeecOriginComms);
  EXPECT_FALSE(r.ok());
}

INSTANTIATE_TEST_SUITE_P(Section1_5, ErrnoToTeec,
                         ::testing::Values(Row{ENOMEM, client::kTeecErrorOutOfMemory},
                                           Row{EINVAL, client::kTeecErrorBadParameters},
                                           Row{EFAULT, client::kTeecErrorGeneric},
                                           Row{EPERM, client::kTeecErrorGeneric},
                                           Row{EBADF, client::kTeecErrorGeneric},
                                           Row{EIO, client::kTeecErrorGeneric}));

TEST(Result, DescribesBothLevels) {
  EXPECT_EQ(client::to_string(
                client::Result::teec(client::kTeecErrorCommunication, client::kTeecOriginComms)),
            "TEEC_ERROR_COMMUNICATION 0xffff000e (origin COMMS)");
  EXPECT_NE(client::to_string(client::Result::from_errno(EINVAL)).find("ioctl failed"),
            std::string::npos);
}

}  // namespace
