// The upstream TA -> normal-world path (reference §4.5, §7.2): tee-supplicant serving application
// buffers and plugin calls, natively and from a guest under Xen.
#include <atomic>
#include <thread>

#include "support/emu_stack.h"

namespace {

using testing_support::Client;
using testing_support::EmuStack;

client::Result plugin(client::Session& s, uint32_t bytes, uint32_t calls, uint32_t* good) {
  client::Operation op;
  op.params[0] = client::Param::value(client::Dir::kIn, bytes, calls);
  op.params[1] = client::Param::value(client::Dir::kOut);
  const auto r = s.invoke(TA_BENCH_CMD_PLUGIN, &op);
  *good = op.params[1].a();
  return r;
}

struct PayloadCase {
  uint32_t bytes;
  uint32_t calls;
};

class PluginPayload : public ::testing::TestWithParam<PayloadCase> {};

TEST_P(PluginPayload, RoundTripsThroughTheSupplicantIntact) {
  for (const char* hv : {"hypervisor=none", "hypervisor=xen"}) {
    EmuStack s(testing_support::config({hv, "guest_ram=16M"}));
    auto session = s.open_bench();
    auto* supp = s.machine->kernel()->supplicant();
    ASSERT_NE(supp, nullptr);
    const uint64_t before = supp->requests_served();
    uint32_t good = 0;
    const auto r = plugin(session, GetParam().bytes, GetParam().calls, &good);
    // Under Xen too: tee-supplicant's buffer is not registered with OP-TEE (the kernel hands
    // its page list over in the SHM_ALLOC answer), so the mediator sees a new cookie, as the real
    // Xen 4.17 does when a domU loads a TA from its file system.
    if (s.machine->hypervisor()) {
      EXPECT_EQ(s.machine->hypervisor()->mediator().counters().duplicate_cookie.load(), 0u);
    }
    ASSERT_TRUE(r.ok()) << hv << ": " << client::to_string(r);
    EXPECT_EQ(good, GetParam().calls) << hv;
    // Each plugin call with a payload is three requests: SHM_ALLOC, SUPP_PLUGIN, SHM_FREE.
    const uint64_t per_call = GetParam().bytes ? 3 : 1;
    EXPECT_EQ(supp->requests_served() - before, per_call * GetParam().calls) << hv;
    EXPECT_EQ(s.machine->kernel()->driver().supplicant_device().shm_count(), 0u)
        << hv << ": buffer leaked";
    EXPECT_EQ(s.machine->kernel()->driver().supp().pending(), 0u) << hv;
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, PluginPayload,
                         ::testing::Values(PayloadCase{0, 1}, PayloadCase{1, 1},
                                           PayloadCase{4096, 3}, PayloadCase{65536, 2},
                                           PayloadCase{100, 16}));

TEST(Supplicant, OneServingThreadPerConcurrentRequest) {
  EmuStack s(testing_support::config({"threads=8"}));
  std::vector<std::unique_ptr<Client>> cs;
  for (int i = 0; i < 6; ++i)
    cs.push_back(std::make_unique<Client>(s.machine, s.machine->kernel()));
  std::atomic<int> bad{0};
  std::vector<std::thread> ts;
  for (auto& c : cs)
    ts.emplace_back([&c, &bad] {
      auto ses = c->open_bench();
      for (int i = 0; i < 50; ++i) {
        uint32_t good = 0;
        if (!plugin(ses, 2048, 2, &good).ok() || good != 2) bad++;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GE(s.machine->kernel()->supplicant()->threads(), 2u);
  EXPECT_EQ(s.machine->driver().supplicant_device().shm_count(), 0u);
}

TEST(Supplicant, WithoutOneThePluginCallFailsInsteadOfHanging) {
  // The TAs linked into OP-TEE: without tee-supplicant no TA could be loaded from its file system.
  EmuStack s(testing_support::config({"supplicant=n", "ta_store=early"}));
  auto session = s.open_bench();
  uint32_t good = 0;
  const auto r = plugin(session, 0, 1, &good);
  EXPECT_EQ(r.code, client::kTeecErrorCommunication);
  EXPECT_FALSE(plugin(session, 4096, 1, &good).ok());  // no application buffer either
  EXPECT_TRUE(s.machine->optee_os().all_threads_free());
}

TEST(Supplicant, StoppedSupplicantFailsLaterCallsAndOnlyOneMayAttach) {
  EmuStack s;
  auto session = s.open_bench();
  uint32_t good = 0;
  ASSERT_TRUE(plugin(session, 64, 1, &good).ok());
  // A second supplicant on the same device is refused while the first runs.
  auto p = s.machine->kernel()->spawn_process();
  EXPECT_EQ(s.machine->driver().supplicant_device().open(*p), -EBUSY);
  s.machine->kernel()->stop_supplicant();
  EXPECT_FALSE(plugin(session, 64, 1, &good).ok());
  EXPECT_GE(s.machine->driver().supplicant_device().open(*p), 0);  // free again
  p->exit();
  EXPECT_TRUE(s.machine->optee_os().all_threads_free());
}

}  // namespace

namespace {

TEST(Supplicant, ARestartedSupplicantServesAgain) {
  EmuStack s;
  auto session = s.open_bench();
  uint32_t good = 0;
  ASSERT_TRUE(plugin(session, 64, 1, &good).ok());
  s.machine->kernel()->stop_supplicant();
  EXPECT_FALSE(plugin(session, 64, 1, &good).ok());
  s.machine->kernel()->start_supplicant();
  EXPECT_TRUE(plugin(session, 64, 1, &good).ok());
  EXPECT_TRUE(s.machine->optee_os().all_threads_free());
}

}  // namespace
