// Client death: an emulated process that dies releases its memory and then its fds in ascending
// order, as Linux's do_exit() does; its contexts' sessions close and nothing stays behind.
#include <atomic>
#include <chrono>
#include <thread>

#include "support/emu_stack.h"
#include "teebench/tee/shared_memory.h"

namespace {

using testing_support::EmuStack;

// A second emulated process with a context and a session with the benchmark TA.
struct Victim {
  explicit Victim(const EmuStack& s) : dev(s.machine), ctx(dev) {
    EXPECT_TRUE(ctx.open().ok());
    EXPECT_TRUE(client::Session::open(ctx, client::bench_ta_uuid(), &session).ok());
  }
  targets::EmuDevice dev;
  client::Context ctx;
  client::Session session;
};

TEST(ClientDeath, ReleasesSessionsSharedMemoryAndMappings) {
  EmuStack s;
  auto& os = s.machine->optee_os();
  // A second process that dies holding a session, an mmap'ed allocation and a registration.
  Victim v(s);
  auto& victim = v.dev;
  auto& ctx = v.ctx;
  auto& session = v.session;
  client::SharedMemory alloc;
  ASSERT_TRUE(client::SharedMemory::allocate(ctx, 8192, &alloc).ok());
  int err = 0;
  void* user = victim.alloc_user(16384, &err);
  ASSERT_NE(user, nullptr);
  client::SharedMemory reg;
  ASSERT_TRUE(client::SharedMemory::register_memory(ctx, user, 16384, &reg).ok());
  EXPECT_EQ(os.ta_manager().session_count(), 1u);
  EXPECT_EQ(s.machine->tee0().shm_count(), 2u);

  victim.kill();

  EXPECT_EQ(os.ta_manager().session_count(), 0u);
  EXPECT_EQ(s.machine->tee0().shm_count(), 0u);
  EXPECT_EQ(os.reg_shm().count(), s.machine->driver().arg_cache_pages());
  EXPECT_EQ(victim.process().open_fd_count(), 0u);
  EXPECT_EQ(victim.process().mm().mapping_count(), 0u);
  EXPECT_TRUE(os.threads().all_free());
  // The dead process's handles are gone: using them is EBADF, not a crash.
  EXPECT_EQ(session.invoke(TA_BENCH_CMD_NOP).err, EBADF);
  // The survivor is unaffected.
  auto mine = s.open_bench();
  EXPECT_TRUE(mine.invoke(TA_BENCH_CMD_NOP).ok());
}

TEST(ClientDeath, DuringACallTheCallFinishesThenEverythingIsReleased) {
  EmuStack s;
  auto& os = s.machine->optee_os();
  Victim v(s);
  auto& victim = v.dev;
  auto& session = v.session;
  std::atomic<bool> returned{false};
  client::Result r;
  std::thread call([&] {
    client::Operation op;
    op.params[0] = client::Param::value(client::Dir::kIn, 200);
    r = session.invoke(TA_BENCH_CMD_WAIT, &op);
    returned = true;
  });
  ASSERT_TRUE(testing_support::wait_for_suspended(os.threads()));
  victim.kill();  // the fd is gone, but the call in flight holds its file until it returns
  EXPECT_FALSE(returned);
  EXPECT_EQ(os.ta_manager().session_count(), 1u);
  call.join();
  EXPECT_TRUE(r.ok());
  // Its context went with the last reference: the session is closed, the threads are free.
  EXPECT_EQ(os.ta_manager().session_count(), 0u);
  EXPECT_TRUE(os.threads().all_free());
}

}  // namespace

namespace {

// Reference §8.1b as a switchable defect: the driver's argument cache allocates its pages on the
// caller's context, so a process that made the first call keeps its context (and sessions) alive
// after it died. Off (the default), the same death closes everything.
TEST(ClientDeath, ArgCachePinnedContextDefect) {
  for (const bool defect : {false, true}) {
    EmuStack s(testing_support::config({defect ? "defect=ctx-pinned" : "defect=none"}));
    auto& os = s.machine->optee_os();
    {
      // The victim makes the machine's first call: the cache's first page is allocated for it.
      targets::EmuDevice dev(s.machine);
      client::Context ctx(dev);
      ASSERT_TRUE(ctx.open().ok());
      client::Session session;
      ASSERT_TRUE(client::Session::open(ctx, client::bench_ta_uuid(), &session).ok());
      dev.kill();
    }
    EXPECT_EQ(os.ta_manager().session_count(), defect ? 1u : 0u)
        << (defect ? "with" : "without") << " the defect";
  }
}

}  // namespace
