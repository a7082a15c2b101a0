// Sessions and TA instances: ids, serialisation of one session, single-instance TAs, and cleanup
// on context release (reference §5.2).
#include <atomic>
#include <thread>

#include "support/emu_stack.h"

namespace {

using testing_support::EmuStack;

// The short call waits 100 ms, not 1: the order is taken when each client thread gets the CPU
// back, and on a loaded host (sanitizers, 2 cores) a thread can be late by more than a
// millisecond. 100 ms is still well under the long calls, so an overtaking short call would
// still finish first.
constexpr uint32_t kShortWaitMs = 100;

// Starts a WAIT of `ms` on `s` in a thread; returns the order in which it completed via `done`.
std::thread wait_call(client::Session& s, uint32_t ms, std::atomic<int>& order, int* done) {
  return std::thread([&s, ms, &order, done] {
    client::Operation op;
    op.params[0] = client::Param::value(client::Dir::kIn, ms);
    EXPECT_TRUE(s.invoke(TA_BENCH_CMD_WAIT, &op).ok());
    *done = ++order;
  });
}

TEST(Sessions, IdsStartAtOneAndAreReused) {
  EmuStack s;
  auto a = s.open_bench();
  auto b = s.open_bench();
  EXPECT_EQ(a.id(), 1u);
  EXPECT_EQ(b.id(), 2u);
  a.close();
  auto c = s.open_bench();
  EXPECT_EQ(c.id(), 3u);  // last + 1
}

TEST(Sessions, ConcurrentInvokesOnOneSessionWaitAsSuspendedThreads) {
  EmuStack s(testing_support::config({"threads=4"}));
  auto session = s.open_bench();
  std::atomic<int> order{0};
  int first = 0, second = 0;
  auto t1 = wait_call(session, 200, order, &first);
  auto& threads = s.machine->optee_os().threads();
  auto suspended = [&] { return testing_support::suspended_count(threads); };
  while (suspended() < 1) std::this_thread::yield();
  auto t2 = wait_call(session, kShortWaitMs, order, &second);
  // The second call holds a secure thread while it waits for the session.
  while (suspended() < 2 && order == 0) std::this_thread::yield();
  EXPECT_EQ(suspended(), 2);
  t1.join();
  t2.join();
  EXPECT_EQ(first, 1);  // the short call could not overtake the long one
  EXPECT_EQ(second, 2);
  EXPECT_TRUE(threads.all_free());
}

TEST(Instances, SingleInstanceSerialisesAcrossSessionsUnlessConcurrent) {
  for (const bool concurrent : {false, true}) {
    EmuStack s(testing_support::config({"threads=4"}));
    const auto uuid = client::bench_ta_uuid(concurrent ? client::BenchTa::kConcurrent
                                                       : client::BenchTa::kMultiSession);
    client::Session a, b;
    ASSERT_TRUE(client::Session::open(*s.ctx, uuid, &a).ok());
    ASSERT_TRUE(client::Session::open(*s.ctx, uuid, &b).ok());
    EXPECT_EQ(s.machine->optee_os().ta_manager().instance_count(), 1u);
    std::atomic<int> order{0};
    int long_done = 0, short_done = 0;
    auto& threads = s.machine->optee_os().threads();
    auto t1 = wait_call(a, 300, order, &long_done);
    ASSERT_TRUE(testing_support::wait_for_suspended(threads));
    auto t2 = wait_call(b, kShortWaitMs, order, &short_done);
    t1.join();
    t2.join();
    if (concurrent)
      EXPECT_EQ(short_done, 1) << "a CONCURRENT instance runs both calls at once";
    else
      EXPECT_EQ(short_done, 2) << "a busy single instance makes the other session wait";
  }
}

TEST(Sessions, ContextReleaseClosesLeftoverSessions) {
  EmuStack s;
  auto& tas = s.machine->optee_os().ta_manager();
  {
    client::Context ctx(*s.dev);
    ASSERT_TRUE(ctx.open().ok());
    for (int i = 0; i < 3; ++i) {
      testing_support::RawCall<tee_ioctl_open_session_arg> open(0);
      ASSERT_EQ(testing_support::raw_open(ctx, open, client::bench_ta_uuid()), 0);
    }
    EXPECT_EQ(tas.session_count(), 3u);
  }
  EXPECT_EQ(tas.session_count(), 0u);
  EXPECT_EQ(tas.instance_count(), 0u);
}

}  // namespace
