// Shared memory: static-pool exhaustion, zero copy in both kinds, unregister of memory in use,
// and a context kept alive by its shm objects (reference §1.1, §1.4, §4.6, §5.4).
#include <atomic>
#include <chrono>
#include <thread>

#include "support/emu_stack.h"
#include "teebench/tee/shared_memory.h"

namespace {

using testing_support::EmuStack;
using namespace std::chrono_literals;

TEST(StaticPool, ExhaustionIsEnomemOnShmAlloc) {
  EmuStack s(testing_support::config({"dyn_shm=n", "carveout_size=1M"}));
  ASSERT_FALSE(s.ctx->reg_mem());
  auto session = s.open_bench();  // the driver's argument page now comes from the carve-out too
  ASSERT_TRUE(session.invoke(TA_BENCH_CMD_NOP).ok());
  std::vector<client::SharedMemory> held;
  client::Result last;
  for (int i = 0; i < 64; ++i) {
    client::SharedMemory shm;
    last = client::SharedMemory::allocate(*s.ctx, 64 * 1024, &shm);
    if (!last.ok()) break;
    held.push_back(std::move(shm));
  }
  // 1 MiB of carve-out, one page of it taken by the driver's argument cache: 15 fit.
  EXPECT_EQ(held.size(), 15u);
  EXPECT_EQ(last.err, ENOMEM);
  EXPECT_EQ(last.code, client::kTeecErrorOutOfMemory);
  EXPECT_EQ(last.origin, client::kTeecOriginComms);
  held.pop_back();  // freeing one makes room again
  client::SharedMemory again;
  EXPECT_TRUE(client::SharedMemory::allocate(*s.ctx, 64 * 1024, &again).ok());
}

TEST(StaticPool, MemrefsTravelByPhysicalAddressAndWork) {
  EmuStack s(testing_support::config({"dyn_shm=n"}));
  auto session = s.open_bench();
  client::SharedMemory shm;
  ASSERT_TRUE(client::SharedMemory::allocate(*s.ctx, 8192, &shm).ok());
  client::Operation op;
  op.params[0] = client::Param::memref(client::Dir::kOut, shm);
  op.params[1] = client::Param::value(client::Dir::kIn, 5);
  ASSERT_TRUE(session.invoke(TA_BENCH_CMD_MEMREF_WRITE, &op).ok());
  EXPECT_EQ(static_cast<uint8_t*>(shm.data())[8191], static_cast<uint8_t>(5 + 8191));
}

TEST(ZeroCopy, BytesTheTaWritesIntoRegisteredMemoryAreTheClientsOwn) {
  EmuStack s;
  auto session = s.open_bench();
  constexpr size_t kSize = 256 * 1024;
  client::UserBuffer buf(*s.dev, kSize);
  client::SharedMemory shm;
  ASSERT_TRUE(client::SharedMemory::register_memory(*s.ctx, buf.data(), kSize, &shm).ok());
  ASSERT_EQ(shm.data(), buf.data());  // no shadow buffer

  // The buffer's pages are scattered in physical memory: the page list is really non-contiguous.
  std::vector<emu::platform::paddr_t> pages;
  ASSERT_EQ(s.dev->process().mm().pin(reinterpret_cast<uintptr_t>(buf.data()), kSize, &pages), 0);
  size_t gaps = 0;
  for (size_t i = 1; i < pages.size(); ++i) gaps += pages[i] != pages[i - 1] + 4096;
  for (auto pa : pages) s.machine->mem().put_page(pa);
  EXPECT_GT(gaps, 0u);

  client::Operation op;
  op.params[0] = client::Param::memref(client::Dir::kOut, shm, 4096 + 3, 10000);
  op.params[1] = client::Param::value(client::Dir::kIn, 0x40);
  ASSERT_TRUE(session.invoke(TA_BENCH_CMD_MEMREF_WRITE, &op).ok());
  const auto* b = static_cast<const uint8_t*>(buf.data());
  EXPECT_EQ(b[4096 + 2], 0);  // before the memref: untouched
  for (size_t i = 0; i < 10000; ++i)
    ASSERT_EQ(b[4096 + 3 + i], static_cast<uint8_t>(0x40 + i)) << "at " << i;
  EXPECT_EQ(b[4096 + 3 + 10000], 0);  // after it: untouched
}

TEST(ZeroCopy, AllocatedMemoryIsSharedThroughTheMapping) {
  EmuStack s;
  auto session = s.open_bench();
  client::SharedMemory shm;
  ASSERT_TRUE(client::SharedMemory::allocate(*s.ctx, 3 * 4096, &shm).ok());
  auto* b = static_cast<uint8_t*>(shm.data());
  for (size_t i = 0; i < shm.size(); ++i) b[i] = static_cast<uint8_t>(i * 7);
  client::Operation op;
  op.params[0] = client::Param::memref(client::Dir::kIn, shm);
  op.params[1] = client::Param::value(client::Dir::kOut);
  ASSERT_TRUE(session.invoke(TA_BENCH_CMD_MEMREF_READ, &op).ok());
  uint32_t sum = 0;
  for (size_t i = 0; i < shm.size(); ++i) sum += b[i];
  EXPECT_EQ(op.params[1].a(), sum);
}

TEST(Tmpref, RegistersPerCallAndFallsBackToAShadowCopy) {
  EmuStack s;
  auto session = s.open_bench();
  // Process memory of the emulated process: registered directly.
  client::UserBuffer user(*s.dev, 8192);
  client::Operation op;
  op.params[0] = client::Param::tmpref(client::Dir::kOut, user.data(), 5000);
  op.params[1] = client::Param::value(client::Dir::kIn, 1);
  ASSERT_TRUE(session.invoke(TA_BENCH_CMD_MEMREF_WRITE, &op).ok());
  EXPECT_EQ(static_cast<uint8_t*>(user.data())[4999], static_cast<uint8_t>(1 + 4999));
  // Memory registration refuses (host heap here): libteec's shadow buffer, copied back.
  std::vector<uint8_t> heap(5000);
  op.params[0] = client::Param::tmpref(client::Dir::kOut, heap.data(), heap.size());
  ASSERT_TRUE(session.invoke(TA_BENCH_CMD_MEMREF_WRITE, &op).ok());
  EXPECT_EQ(heap[4999], static_cast<uint8_t>(1 + 4999));
  // Nothing stays registered after the calls.
  EXPECT_EQ(s.machine->tee0().shm_count(), 0u);
}

TEST(Unregister, OfMemoryInUseBlocksUntilTheCallEndsThenCompletes) {
  EmuStack s;
  auto session = s.open_bench();
  client::UserBuffer buf(*s.dev, 16384);
  client::SharedMemory shm;
  ASSERT_TRUE(client::SharedMemory::register_memory(*s.ctx, buf.data(), buf.size(), &shm).ok());
  emu::linux_tee::TeeShm* kshm = s.machine->tee0().shm_find(shm.id());
  ASSERT_NE(kshm, nullptr);
  auto& os = s.machine->optee_os();
  const size_t registered = os.reg_shm().count();

  std::atomic<int> order{0};
  const auto started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration unregister_took{};
  std::thread call([&] {
    client::Operation op;
    op.params[0] = client::Param::value(client::Dir::kIn, 300);
    op.params[1] = client::Param::memref(client::Dir::kIn, shm);
    EXPECT_TRUE(session.invoke(TA_BENCH_CMD_WAIT, &op).ok());
    ++order;
  });
  // Wait until the call holds the memory inside OP-TEE (its thread suspended in TEE_Wait).
  ASSERT_TRUE(testing_support::wait_for_suspended(os.threads()));
  // The driver's own UNREGISTER_SHM, as a kernel that dropped its reference too early would send.
  std::thread unregister([&] {
    EXPECT_EQ(s.machine->driver().shm_unregister(kshm->ctx, kshm), 0);
    unregister_took = std::chrono::steady_clock::now() - started;
    ++order;
  });
  // While blocked, the unregister holds the second secure thread: both are SUSPENDED.
  bool both_suspended = false;
  for (int i = 0; i < 2000 && !both_suspended && order == 0; ++i) {
    both_suspended = testing_support::suspended_count(os.threads()) == 2;
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(both_suspended);
  call.join();
  unregister.join();
  // It could only complete once the 300 ms wait holding the memory was over (a lower bound, so
  // a slow machine cannot break it).
  EXPECT_GE(unregister_took, 300ms);
  EXPECT_EQ(os.reg_shm().count(), registered - 1);
  EXPECT_TRUE(os.threads().all_free());
}

TEST(ContextLifetime, OutlivesItsFdWhileAShmObjectHoldsIt) {
  EmuStack s;
  auto& os = s.machine->optee_os();
  const size_t sessions_before = os.ta_manager().session_count();
  // Raw UAPI: a second context with a session and a shm object, then its fd is closed.
  const int fd = s.dev->open();
  ASSERT_GE(fd, 0);
  testing_support::RawCall<tee_ioctl_open_session_arg> open(0);
  std::memcpy(open.arg()->uuid, client::bench_ta_uuid().octets.data(), 16);
  auto b = open.buf();
  ASSERT_EQ(s.dev->ioctl(fd, TEE_IOC_OPEN_SESSION, &b), 0);
  ASSERT_EQ(open.arg()->ret, client::kTeecSuccess);
  tee_ioctl_shm_alloc_data alloc{4096, 0, 0};
  const int shm_fd = s.dev->ioctl(fd, TEE_IOC_SHM_ALLOC, &alloc);
  ASSERT_GE(shm_fd, 0);
  ASSERT_EQ(s.dev->close(fd), 0);
  // The shm keeps the context alive, so its session is still open in the secure world.
  EXPECT_EQ(os.ta_manager().session_count(), sessions_before + 1);
  // The last shm reference goes: the context's release closes the session.
  ASSERT_EQ(s.dev->close(shm_fd), 0);
  EXPECT_EQ(os.ta_manager().session_count(), sessions_before);
}

}  // namespace
