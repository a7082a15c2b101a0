#include "emu/linux_tee/optee/call_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace {

using emu::linux_tee::optee::CallQueue;
using emu::linux_tee::optee::DriverGen;

TEST(CallQueue, V68TakesASlotBeforeEnteringAndWaitsWhenNoneIsFree) {
  CallQueue cq(DriverGen::k6_8, 1);
  CallQueue::Waiter a;
  cq.wait_init(a, false);
  std::atomic<bool> entered{false};
  std::thread t([&] {
    CallQueue::Waiter b;
    cq.wait_init(b, false);  // no free slot: sleeps
    entered = true;
    cq.wait_final(b);
  });
  while (cq.accounted_waits() == 0) std::this_thread::yield();
  EXPECT_FALSE(entered);
  cq.wait_final(a);  // frees the slot and wakes b
  t.join();
  EXPECT_TRUE(entered);
  EXPECT_EQ(cq.waiting(), 0u);
}

TEST(CallQueue, V68ReservesOneThreadForSystemSessions) {
  CallQueue cq(DriverGen::k6_8, 2);
  cq.incr_sys_thread_count();
  CallQueue::Waiter normal;
  cq.wait_init(normal, false);  // takes 1 of 2; one stays for system sessions
  std::atomic<bool> second_normal{false};
  std::thread t([&] {
    CallQueue::Waiter w;
    cq.wait_init(w, false);
    second_normal = true;
    cq.wait_final(w);
  });
  while (cq.accounted_waits() == 0) std::this_thread::yield();
  CallQueue::Waiter sys;
  cq.wait_init(sys, true);  // the reserved thread: no wait
  EXPECT_FALSE(second_normal);
  cq.wait_final(sys);
  cq.wait_final(normal);
  t.join();
  EXPECT_TRUE(second_normal);
}

TEST(CallQueue, Pre68CompletionWakesAWaiterThatMetEthreadLimit) {
  CallQueue cq(DriverGen::kPre6_8, 2);  // the count is ignored before 6.8
  EXPECT_EQ(cq.total_thread_count(), 0u);
  CallQueue::Waiter running, blocked;
  cq.wait_init(running, false);
  cq.wait_init(blocked, false);  // never waits here
  std::atomic<bool> woke{false};
  std::thread t([&] {
    cq.wait_for_completion(blocked);
    woke = true;
  });
  while (cq.ethread_limit_count() == 0) std::this_thread::yield();
  cq.wait_final(running);
  t.join();
  EXPECT_TRUE(woke);
  cq.wait_final(blocked);
}

}  // namespace
