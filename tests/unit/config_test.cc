#include "emu/config.h"

#include <gtest/gtest.h>

#include "emu/platform/cost_model.h"

namespace {

TEST(Config, UpstreamNamesAndAliasesSetTheSameKnob) {
  emu::EmuConfig c;
  EXPECT_EQ(emu::apply_setting(c, "CFG_NUM_THREADS=8"), "");
  EXPECT_EQ(c.os.num_threads, 8u);
  EXPECT_EQ(emu::apply_setting(c, "threads=4"), "");
  EXPECT_EQ(c.os.num_threads, 4u);
  EXPECT_EQ(emu::apply_setting(c, "carveout_size=4M"), "");
  EXPECT_EQ(c.mem.carveout_size, size_t{4} << 20);
  EXPECT_EQ(emu::apply_setting(c, "driver=pre-6.8"), "");
  EXPECT_EQ(c.driver.gen, emu::linux_tee::optee::DriverGen::kPre6_8);
  EXPECT_EQ(emu::apply_setting(c, "dyn_shm=n"), "");
  EXPECT_FALSE(c.os.core_dyn_shm);
}

struct Bad {
  const char* assignment;
  const char* message;
};

void PrintTo(const Bad& b, std::ostream* os) { *os << b.assignment; }

class BadSetting : public ::testing::TestWithParam<Bad> {};

TEST_P(BadSetting, IsOneLineNamingTheProblem) {
  emu::EmuConfig c;
  const std::string e = emu::apply_setting(c, GetParam().assignment);
  EXPECT_NE(e.find(GetParam().message), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Errors, BadSetting,
                         ::testing::Values(Bad{"threads=0", "threads: value 0 is outside 1..256"},
                                           Bad{"threads=two", "threads: 'two' is not a number"},
                                           Bad{"carveout_size=5000", "not a multiple of 4096"},
                                           Bad{"dyn_shm=maybe", "'maybe' is not y or n"},
                                           Bad{"driver=5.4", "'5.4' is not 6.8 or pre-6.8"},
                                           Bad{"threadz=2",
                                               "unknown setting 'threadz' (known: threads,"},
                                           Bad{"threads", "'threads' is not key=value"}));

TEST(Profiles, BundledProfilesLoadAndCarrySources) {
  const auto p = emu::platform::load_profile("juno-a57");
  EXPECT_EQ(p.name, "juno-a57");
  const auto& smc = p.costs[static_cast<size_t>(emu::platform::Cost::kSmcRoundTrip)];
  EXPECT_EQ(smc.ns, 620u);
  EXPECT_NE(smc.source.find("psci-performance-juno"), std::string::npos);
  const auto none = emu::platform::load_profile("none");
  for (const auto& c : none.costs) EXPECT_EQ(c.ns, 0u);
}

TEST(Profiles, MissingOrMalformedProfileIsAClearError) {
  try {
    emu::platform::load_profile("no-such-board");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("use a bundled name"), std::string::npos);
  }
  const std::string path = ::testing::TempDir() + "/bad-profile.json";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(R"({"name": "x", "costs": {"smc_round_trip_ns": {"ns": 5}}})", f);
  std::fclose(f);
  try {
    emu::platform::load_profile(path);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("every value needs its source"), std::string::npos);
  }
}

}  // namespace
