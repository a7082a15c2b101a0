// OP-TEE with CFG_NS_VIRTUALIZATION, spoken to directly as a hypervisor would (reference §5.3):
// who may create and destroy partitions, the guest-count bound, unknown guests, per-guest thread
// pools, and a destroyed partition living on until its last in-flight call is done.
#include <atomic>
#include <thread>

#include "emu/abi/optee_smc.h"
#include "support/emu_stack.h"

namespace {

using namespace emu::abi;
using emu::platform::SmcRegs;

SmcRegs smc(emu::optee_os::OpteeOs& os, uint64_t a0, uint64_t a1, uint64_t a7) {
  SmcRegs r;
  r.a[0] = a0;
  r.a[1] = a1;
  r.a[7] = a7;
  os.smc(r);
  return r;
}

struct VirtOs {
  explicit VirtOs(std::initializer_list<const char*> extra = {}) {
    cfg = testing_support::config({"virtualization=y", "guest_count=2"});
    for (const char* e : extra) EXPECT_EQ(emu::apply_setting(cfg, e), "");
    mem = std::make_unique<emu::platform::PhysMem>(cfg.mem);
    os = std::make_unique<emu::optee_os::OpteeOs>(cfg.os, *mem, cost);
  }
  emu::EmuConfig cfg;
  emu::platform::CostModel cost;
  std::unique_ptr<emu::platform::PhysMem> mem;
  std::unique_ptr<emu::optee_os::OpteeOs> os;
};

struct SmcCase {
  const char* what;
  uint32_t a0;
  uint64_t a1;
  uint64_t a7;
  uint64_t expect;
};

TEST(Virtualization, PartitionRulesTable) {
  VirtOs v;
  ASSERT_EQ(smc(*v.os, OPTEE_SMC_VM_CREATED, 5, 0).a[0], OPTEE_SMC_RETURN_OK);
  const SmcCase cases[] = {
      {"VM_CREATED from a guest", OPTEE_SMC_VM_CREATED, 6, 5, OPTEE_SMC_RETURN_ENOTAVAIL},
      {"VM_DESTROYED from a guest", OPTEE_SMC_VM_DESTROYED, 5, 5, OPTEE_SMC_RETURN_ENOTAVAIL},
      {"VM_CREATED twice", OPTEE_SMC_VM_CREATED, 5, 0, OPTEE_SMC_RETURN_ENOTAVAIL},
      {"VM_CREATED for the hypervisor id", OPTEE_SMC_VM_CREATED, 0, 0, OPTEE_SMC_RETURN_ENOTAVAIL},
      {"fast call from an unknown guest", OPTEE_SMC_CALLS_UID, 0, 9, OPTEE_SMC_RETURN_ENOTAVAIL},
      {"std call from an unknown guest", OPTEE_SMC_CALL_WITH_ARG, 0, 9, OPTEE_SMC_RETURN_ENOTAVAIL},
      {"std call from the hypervisor", OPTEE_SMC_CALL_WITH_ARG, 0, 0, OPTEE_SMC_RETURN_ENOTAVAIL},
      {"resume from an unknown guest", OPTEE_SMC_CALL_RETURN_FROM_RPC, 0, 9,
       OPTEE_SMC_RETURN_ENOTAVAIL},
      {"hypervisor's own fast call", OPTEE_SMC_GET_THREAD_COUNT, 0, 0, OPTEE_SMC_RETURN_OK},
      {"known guest's fast call", OPTEE_SMC_GET_THREAD_COUNT, 0, 5, OPTEE_SMC_RETURN_OK},
      {"hypervisor has no shm cache", OPTEE_SMC_ENABLE_SHM_CACHE, 0, 0, OPTEE_SMC_RETURN_ENOTAVAIL},
      {"VM_DESTROYED of an unknown guest is only logged", OPTEE_SMC_VM_DESTROYED, 77, 0,
       OPTEE_SMC_RETURN_OK},
  };
  for (const auto& c : cases) EXPECT_EQ(smc(*v.os, c.a0, c.a1, c.a7).a[0], c.expect) << c.what;
  EXPECT_EQ(smc(*v.os, OPTEE_SMC_GET_THREAD_COUNT, 0, 5).a[1], v.cfg.os.num_threads);
  EXPECT_TRUE(smc(*v.os, OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, 5).a[1] &
              OPTEE_SMC_SEC_CAP_VIRTUALIZATION);
}

TEST(Virtualization, GuestCountBoundsPartitionsAndDestroyFreesASlot) {
  VirtOs v;
  EXPECT_EQ(smc(*v.os, OPTEE_SMC_VM_CREATED, 2, 0).a[0], OPTEE_SMC_RETURN_OK);
  EXPECT_EQ(smc(*v.os, OPTEE_SMC_VM_CREATED, 3, 0).a[0], OPTEE_SMC_RETURN_OK);
  EXPECT_EQ(smc(*v.os, OPTEE_SMC_VM_CREATED, 4, 0).a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
  EXPECT_EQ(v.os->partitions().size(), 2u);
  EXPECT_EQ(smc(*v.os, OPTEE_SMC_VM_DESTROYED, 2, 0).a[0], OPTEE_SMC_RETURN_OK);
  EXPECT_EQ(smc(*v.os, OPTEE_SMC_CALLS_UID, 0, 2).a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
  EXPECT_EQ(smc(*v.os, OPTEE_SMC_VM_CREATED, 4, 0).a[0], OPTEE_SMC_RETURN_OK);
  EXPECT_NE(v.os->guest(4), nullptr);
  EXPECT_EQ(v.os->guest(2), nullptr);
}

TEST(Virtualization, WithoutItVmCallsAreUnknownAndA7IsIgnored) {
  emu::EmuConfig cfg = testing_support::config();
  emu::platform::CostModel cost;
  emu::platform::PhysMem mem(cfg.mem);
  emu::optee_os::OpteeOs os(cfg.os, mem, cost);
  EXPECT_EQ(smc(os, OPTEE_SMC_VM_CREATED, 2, 0).a[0], OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
  EXPECT_EQ(smc(os, OPTEE_SMC_VM_DESTROYED, 0, 0).a[0], OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
  EXPECT_EQ(smc(os, OPTEE_SMC_CALLS_UID, 0, 9).a[0], kOpteeMsgUid[0]);
  EXPECT_FALSE(smc(os, OPTEE_SMC_EXCHANGE_CAPABILITIES, 0, 0).a[1] &
               OPTEE_SMC_SEC_CAP_VIRTUALIZATION);
}

// Each guest has CFG_NUM_THREADS threads of its own: one guest using all of its threads does not
// take any from another.
TEST(Virtualization, EachGuestHasItsOwnThreadPool) {
  auto m = std::make_shared<emu::Machine>(
      testing_support::config({"hypervisor=xen", "guests=2", "guest_ram=16M", "threads=2"}));
  auto ks = m->kernels();
  ASSERT_EQ(ks.size(), 2u);
  testing_support::Client busy(m, ks[0]);
  testing_support::Client other(m, ks[1]);
  auto waiting = busy.open_bench();
  auto waiting2 = busy.open_bench();
  std::vector<std::thread> ts;
  for (auto* s : {&waiting, &waiting2})
    ts.emplace_back([s] {
      client::Operation op;
      op.params[0] = client::Param::value(client::Dir::kIn, 200);
      EXPECT_TRUE(s->invoke(TA_BENCH_CMD_WAIT, &op).ok());
    });
  auto p1 = m->optee_os().guest(ks[0]->domid() + 1);
  ASSERT_NE(p1, nullptr);
  ASSERT_TRUE(testing_support::wait_for_suspended(p1->threads(), 2));
  auto s2 = other.open_bench();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(s2.invoke(TA_BENCH_CMD_NOP).ok());
  EXPECT_EQ(testing_support::suspended_count(p1->threads()), 2u);
  for (auto& t : ts) t.join();
}

// VM_DESTROYED while a call of that guest is still executing (a hypervisor that did not pause
// the guest first): the partition leaves the list at once but its memory, and so its slot under
// CFG_VIRT_GUEST_COUNT, is freed only when that call leaves the secure world.
TEST(Virtualization, DestroyedPartitionLivesUntilItsLastCallLeaves) {
  auto m = std::make_shared<emu::Machine>(testing_support::config(
      {"hypervisor=xen", "guests=1", "guest_count=1", "guest_ram=16M", "tick_us=0"}));
  testing_support::Client c(m, m->kernel());
  auto s = c.open_bench();
  const uint16_t id = m->kernel()->domid() + 1;
  std::atomic<bool> done{false};
  std::thread t([&] {
    client::Operation op;
    op.params[0] = client::Param::value(client::Dir::kIn, 300000);  // 300 ms busy, ACTIVE
    s.invoke(TA_BENCH_CMD_HOLD, &op);
    done = true;
  });
  auto& os = m->optee_os();
  for (int i = 0; i < 5000 && os.guest(id)->threads().all_free(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_EQ(smc(os, OPTEE_SMC_VM_DESTROYED, id, 0).a[0], OPTEE_SMC_RETURN_OK);
  EXPECT_EQ(os.guest(id), nullptr);
  EXPECT_FALSE(done.load());
  EXPECT_EQ(os.partitions().size(), 1u);  // still in memory
  EXPECT_EQ(smc(os, OPTEE_SMC_VM_CREATED, 50, 0).a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
  t.join();
  EXPECT_TRUE(os.partitions().empty());
  EXPECT_EQ(smc(os, OPTEE_SMC_VM_CREATED, 50, 0).a[0], OPTEE_SMC_RETURN_OK);
}

}  // namespace
