// Far more callers than secure threads: everyone completes without error, the driver really
// queued them, and every secure thread is FREE afterwards — in both driver generations.
#include <atomic>
#include <latch>
#include <thread>

#include "support/emu_stack.h"

namespace {

using testing_support::EmuStack;

struct Case {
  const char* driver;
  const char* dyn_shm;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.driver << " dyn_shm=" << c.dyn_shm; }

class Exhaustion : public ::testing::TestWithParam<Case> {};

TEST_P(Exhaustion, SixteenWaitersOnTwoThreadsAllComplete) {
  const Case c = GetParam();
  const std::string driver = std::string("driver=") + c.driver;
  const std::string dyn = std::string("dyn_shm=") + c.dyn_shm;
  EmuStack s(testing_support::config({"threads=2", driver.c_str(), dyn.c_str()}));
  constexpr int kCallers = 16;
  constexpr int kRounds = 3;
  std::latch all_open(kCallers);  // every caller starts together, so they really contend
  std::atomic<int> errors{0};
  std::atomic<int> completed{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      client::Session session;
      const auto r = client::Session::open(*s.ctx, client::bench_ta_uuid(), &session);
      all_open.arrive_and_wait();
      if (!r.ok()) {
        ADD_FAILURE() << client::to_string(r);
        errors++;
        return;
      }
      for (int k = 0; k < kRounds; ++k) {
        client::Operation op;
        op.params[0] = client::Param::value(client::Dir::kIn, 20);
        const auto res = session.invoke(TA_BENCH_CMD_WAIT, &op);
        if (res.ok())
          completed++;
        else
          errors++;
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(completed, kCallers * kRounds);

  auto& cq = s.machine->driver().call_queue();
  if (std::string(c.driver) == "pre-6.8") {
    // No thread counting: the driver learns of exhaustion only from ETHREAD_LIMIT returns.
    EXPECT_GT(cq.ethread_limit_count(), 0u);
    EXPECT_EQ(cq.accounted_waits(), 0u);
  } else {
    // Thread counting: callers wait for a slot before entering; OP-TEE never has to refuse.
    EXPECT_GT(cq.accounted_waits(), 0u);
    EXPECT_EQ(cq.ethread_limit_count(), 0u);
  }
  EXPECT_EQ(cq.waiting(), 0u);
  EXPECT_TRUE(s.machine->optee_os().threads().all_free());
}

INSTANTIATE_TEST_SUITE_P(BothGenerations, Exhaustion,
                         ::testing::Values(Case{"pre-6.8", "y"}, Case{"6.8", "y"},
                                           Case{"pre-6.8", "n"}, Case{"6.8", "n"}),
                         [](const auto& p) {
                           std::string n = std::string(p.param.driver) + "_dyn_" + p.param.dyn_shm;
                           for (auto& ch : n)
                             if (ch == '.' || ch == '-') ch = '_';
                           return n;
                         });

TEST(Exhaustion, HoldKeepsThreadsActiveAndStillCompletes) {
  EmuStack s(testing_support::config({"threads=2", "driver=pre-6.8"}));
  std::atomic<int> ok{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      client::Session session;
      if (!client::Session::open(*s.ctx, client::bench_ta_uuid(), &session).ok()) return;
      client::Operation op;
      op.params[0] = client::Param::value(client::Dir::kIn, 3000);  // 3 ms busy
      ok += session.invoke(TA_BENCH_CMD_HOLD, &op).ok();
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_TRUE(s.machine->optee_os().threads().all_free());
}

}  // namespace

namespace {

// Registration churn next to calls using registered memory: ids and cookies are reused all the
// time, and no call may see another's object.
TEST(ShmChurn, ConcurrentRegisterUnregisterAndInvokeNeverFail) {
  testing_support::EmuStack s(testing_support::config({"threads=4"}));
  std::atomic<int> failures{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      client::Context ctx(*s.dev);
      if (!ctx.open().ok()) {
        failures++;
        return;
      }
      client::Session session;
      if (!client::Session::open(ctx, client::bench_ta_uuid(), &session).ok()) {
        failures++;
        return;
      }
      client::UserBuffer buf(*s.dev, 4 * 4096);
      for (int i = 0; i < 300; ++i) {
        client::SharedMemory shm;
        auto r = client::SharedMemory::register_memory(ctx, buf.data(), buf.size(), &shm);
        if (r.ok()) {
          client::Operation op;
          op.params[0] = client::Param::memref(client::Dir::kIn, shm);
          op.params[1] = client::Param::value(client::Dir::kOut);
          r = session.invoke(TA_BENCH_CMD_MEMREF_READ, &op);
        }
        if (!r.ok()) {
          ADD_FAILURE() << client::to_string(r);
          failures++;
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(s.machine->tee0().shm_count(), 0u);
  EXPECT_EQ(s.machine->optee_os().reg_shm().count(), s.machine->driver().arg_cache_pages());
}

}  // namespace
