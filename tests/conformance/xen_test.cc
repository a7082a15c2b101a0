// Guests behind Xen's OP-TEE mediator (reference §6): what a guest may call and see, the
// per-domain limits, page-list translation across a scattered p2m, and guests created and destroyed
// while others run.
#include <atomic>
#include <cstring>
#include <thread>

#include "emu/abi/optee_msg.h"
#include "emu/abi/optee_smc.h"
#include "support/emu_stack.h"
#include "teebench/tee/shared_memory.h"

namespace {

using namespace emu::abi;
using emu::platform::kPageSize;
using emu::platform::paddr_t;
using emu::platform::SmcRegs;
using testing_support::Client;

std::shared_ptr<emu::Machine> xen_machine(std::initializer_list<const char*> extra = {}) {
  auto cfg = testing_support::config({"hypervisor=xen", "guest_ram=16M"});
  for (const char* e : extra) EXPECT_EQ(emu::apply_setting(cfg, e), "");
  return std::make_shared<emu::Machine>(cfg);
}

// An SMC as the guest's kernel makes it: through its trap into Xen.
SmcRegs guest_smc(emu::Kernel& k, uint64_t a0, uint64_t a1 = 0, uint64_t a2 = 0) {
  SmcRegs r;
  r.a[0] = a0;
  r.a[1] = a1;
  r.a[2] = a2;
  k.driver().conduit().smc(r);
  return r;
}

struct RefusalCase {
  const char* what;
  uint32_t a0;
  uint64_t expect;
};

TEST(XenMediator, WhatAGuestMayCallTable) {
  auto m = xen_machine();
  auto& k = *m->kernel();
  const RefusalCase cases[] = {
      {"CALLS_COUNT is Xen's own answer", OPTEE_SMC_CALLS_COUNT, 11},
      {"static shm refused", OPTEE_SMC_GET_SHM_CONFIG, OPTEE_SMC_RETURN_ENOTAVAIL},
      {"thread count hidden", OPTEE_SMC_GET_THREAD_COUNT, OPTEE_SMC_RETURN_UNKNOWN_FUNCTION},
      {"async notifications hidden", OPTEE_SMC_ENABLE_ASYNC_NOTIF,
       OPTEE_SMC_RETURN_UNKNOWN_FUNCTION},
      {"RPC-arg calls unknown", OPTEE_SMC_CALL_WITH_RPC_ARG, OPTEE_SMC_RETURN_UNKNOWN_FUNCTION},
      {"registered-arg calls unknown", OPTEE_SMC_CALL_WITH_REGD_ARG,
       OPTEE_SMC_RETURN_UNKNOWN_FUNCTION},
      {"guests cannot create VMs", OPTEE_SMC_VM_CREATED, OPTEE_SMC_RETURN_UNKNOWN_FUNCTION},
      {"guests cannot destroy VMs", OPTEE_SMC_VM_DESTROYED, OPTEE_SMC_RETURN_UNKNOWN_FUNCTION},
      {"CALLS_UID passes through", OPTEE_SMC_CALLS_UID, kOpteeMsgUid[0]},
      {"resume of no call", OPTEE_SMC_CALL_RETURN_FROM_RPC, OPTEE_SMC_RETURN_ERESUME},
  };
  for (const auto& c : cases) EXPECT_EQ(guest_smc(k, c.a0).a[0], c.expect) << c.what;
}

TEST(XenMediator, CapabilitiesAreMaskedSoTheGuestDriverRunsAsUnderXen) {
  auto m = xen_machine({"reserved_shm=y"});
  auto& k = *m->kernel();
  // Unknown NSEC bits are dropped rather than refused by OP-TEE.
  const SmcRegs r = guest_smc(k, OPTEE_SMC_EXCHANGE_CAPABILITIES, 0xff);
  ASSERT_EQ(r.a[0], OPTEE_SMC_RETURN_OK);
  EXPECT_EQ(r.a[1], uint64_t{OPTEE_SMC_SEC_CAP_DYNAMIC_SHM | OPTEE_SMC_SEC_CAP_MEMREF_NULL});
  const auto& p = k.driver().probe_info();
  EXPECT_FALSE(p.static_pool);
  EXPECT_EQ(p.rpc_param_count, 0u);  // no RPC_ARG: OP-TEE asks for RPC arguments by RPC_ALLOC
  EXPECT_EQ(p.thread_count, 0u);     // no GET_THREAD_COUNT: the driver relies on ETHREAD_LIMIT
  // OP-TEE itself does offer what was hidden.
  EXPECT_TRUE(m->optee_os().sec_caps() & OPTEE_SMC_SEC_CAP_RPC_ARG);
  EXPECT_TRUE(m->optee_os().sec_caps() & OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM);
}

TEST(XenMediator, GuestWithoutDynamicShmIsRefused) {
  auto cfg = testing_support::config({"hypervisor=xen", "guest_ram=16M", "dyn_shm=n"});
  EXPECT_THROW(emu::Machine m(cfg), std::runtime_error);
}

TEST(XenMediator, WithoutVirtualizationTheMediatorIsDisabled) {
  auto cfg = testing_support::config({"hypervisor=xen", "virtualization=n"});
  try {
    emu::Machine m(cfg);
    FAIL() << "expected the mediator probe to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("CFG_NS_VIRTUALIZATION=y"), std::string::npos) << e.what();
  }
}

// A message argument the test builds in guest RAM, as a (misbehaving) guest kernel might.
struct GuestArg {
  explicit GuestArg(emu::Kernel& k) : mem(k.mem()), ipa(*k.mem().alloc_page()) {
    std::memset(mem.va(ipa), 0, kPageSize);
  }
  ~GuestArg() { mem.put_page(ipa); }
  OpteeMsgArg* arg() { return reinterpret_cast<OpteeMsgArg*>(mem.va(ipa)); }
  OpteeMsgParam* params() { return reinterpret_cast<OpteeMsgParam*>(arg() + 1); }
  emu::platform::Memory& mem;
  paddr_t ipa;
};

TEST(XenMediator, StdCallRefusalsTable) {
  auto m = xen_machine();
  auto& k = *m->kernel();
  GuestArg g(k);
  struct Case {
    const char* what;
    uint64_t ipa;
    uint32_t cmd;
    uint64_t attr;
    uint64_t a0;
    uint32_t ret;
  } cases[] = {
      {"argument not page aligned", g.ipa + 64, OPTEE_MSG_CMD_INVOKE_COMMAND, 0,
       OPTEE_SMC_RETURN_EBADADDR, 0},
      {"argument outside guest RAM", 0x10000000, OPTEE_MSG_CMD_INVOKE_COMMAND, 0,
       OPTEE_SMC_RETURN_EBADADDR, 0},
      {"unknown command", g.ipa, 9, 0, OPTEE_SMC_RETURN_EBADCMD, 0},
      {"contiguous tmem (guest physical addresses)", g.ipa, OPTEE_MSG_CMD_INVOKE_COMMAND,
       OPTEE_MSG_ATTR_TYPE_TMEM_INPUT, OPTEE_SMC_RETURN_OK, kTeeErrorBadParameters},
  };
  const uint64_t rejected = m->hypervisor()->mediator().counters().rejected;
  for (const auto& c : cases) {
    std::memset(g.arg(), 0, kPageSize);
    g.arg()->cmd = c.cmd;
    g.arg()->num_params = 1;
    g.params()[0].attr = c.attr;
    g.params()[0].u.tmem = {g.ipa + 256, 64, 1};
    const SmcRegs r = guest_smc(k, OPTEE_SMC_CALL_WITH_ARG, c.ipa >> 32, c.ipa & 0xffffffffu);
    EXPECT_EQ(r.a[0], c.a0) << c.what;
    if (c.a0 == OPTEE_SMC_RETURN_OK) {
      EXPECT_EQ(g.arg()->ret, c.ret) << c.what;
      EXPECT_EQ(g.arg()->ret_origin, kTeeOriginComms) << c.what;
    }
  }
  EXPECT_EQ(m->hypervisor()->mediator().counters().rejected, rejected + 4);
  auto st = m->hypervisor()->mediator().state(*emu::Machine::domain_of(k));
  EXPECT_EQ(st.calls, 0u);
  EXPECT_EQ(st.shm_buffers, 0u);
}

// Concurrent std calls per domain are capped at OP-TEE's thread count by Xen; the guest's driver
// queues the extra caller on ETHREAD_LIMIT, and it completes once a thread is back.
TEST(XenMediator, StdCallsPerDomainCappedAtThreadCount) {
  auto m = xen_machine({"threads=2"});
  auto k = m->kernel();
  Client c(m, k);
  std::vector<client::Session> ss;
  for (int i = 0; i < 3; ++i) ss.push_back(c.open_bench());
  const uint64_t before = m->hypervisor()->mediator().counters().thread_limit;
  std::vector<std::thread> ts;
  for (int i = 0; i < 2; ++i)
    ts.emplace_back([&, i] {
      client::Operation op;
      op.params[0] = client::Param::value(client::Dir::kIn, 100);
      EXPECT_TRUE(ss[i].invoke(TA_BENCH_CMD_WAIT, &op).ok());
    });
  auto d = emu::Machine::domain_of(*k);
  for (int i = 0; i < 5000 && m->hypervisor()->mediator().state(*d).calls < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(guest_smc(*k, OPTEE_SMC_CALL_WITH_ARG, 0, 0).a[0], OPTEE_SMC_RETURN_ETHREAD_LIMIT);
  EXPECT_TRUE(ss[2].invoke(TA_BENCH_CMD_NOP).ok());  // queued in the driver, then served
  for (auto& t : ts) t.join();
  EXPECT_GT(m->hypervisor()->mediator().counters().thread_limit, before + 1);
  EXPECT_GT(k->driver().call_queue().ethread_limit_count(), 0u);
  EXPECT_EQ(m->hypervisor()->mediator().state(*d).calls, 0u);
}

struct LimitCase {
  const char* what;
  std::vector<size_t> buffers;  // pages of each buffer registered in turn
  size_t registered;            // how many succeed
  const char* limit;            // setting that lowers the total, or nullptr
};

TEST(XenMediator, PerDomainBufferLimitsTable) {
  const LimitCase cases[] = {
      {"129 pages per buffer fit", {129}, 1, nullptr},
      {"130 pages per buffer do not", {130}, 0, nullptr},
      {"16 buffers fit, the 17th does not", std::vector<size_t>(17, 1), 16, nullptr},
      {"pinned pages stay below the total", {129, 129, 2}, 2, "260"},
  };
  for (const auto& c : cases) {
    auto cfg = testing_support::config({"hypervisor=xen", "guest_ram=16M"});
    if (c.limit) cfg.xen.max_total_shm_pages = static_cast<uint32_t>(std::stoul(c.limit));
    auto m = std::make_shared<emu::Machine>(cfg);
    Client cl(m, m->kernel());
    std::vector<client::UserBuffer> bufs;
    std::vector<client::SharedMemory> shms;
    size_t ok = 0;
    client::Result last;
    for (size_t pages : c.buffers) {
      bufs.emplace_back(*cl.dev, pages * kPageSize);
      client::SharedMemory shm;
      last = client::SharedMemory::register_memory(*cl.ctx, bufs.back().data(), pages * kPageSize,
                                                   &shm);
      if (last.ok()) {
        ++ok;
        shms.push_back(std::move(shm));
      }
    }
    EXPECT_EQ(ok, c.registered) << c.what;
    if (ok < c.buffers.size()) {
      EXPECT_EQ(last.err, EINVAL) << c.what;
    }
    const auto& n = m->hypervisor()->mediator().counters();
    EXPECT_EQ(n.buffer_too_big + n.buffer_count + n.total_pages, c.buffers.size() - ok) << c.what;
    auto st = m->hypervisor()->mediator().state(*emu::Machine::domain_of(*m->kernel()));
    EXPECT_EQ(st.shm_buffers, ok) << c.what;
    shms.clear();
    st = m->hypervisor()->mediator().state(*emu::Machine::domain_of(*m->kernel()));
    EXPECT_EQ(st.shm_buffers, 0u) << c.what;
    EXPECT_EQ(st.pinned_pages, st.rpc_buffers) << c.what;
  }
}

// The guest's buffer is consecutive in its IPA space but scattered in machine memory; what the
// TA writes must land in the guest's own pages, byte for byte, for registered and temporary
// memrefs alike.
TEST(XenMediator, PageListsAreTranslatedAcrossAScatteredP2m) {
  auto m = xen_machine({"guests=2"});
  auto k = m->kernel();
  Client c(m, k);
  auto s = c.open_bench();
  constexpr size_t kSize = 100 * kPageSize;
  client::UserBuffer buf(*c.dev, kSize);
  std::vector<paddr_t> ipas;
  ASSERT_EQ(c.dev->process().mm().pin(reinterpret_cast<uintptr_t>(buf.data()), kSize, &ipas), 0);
  size_t ipa_gaps = 0, machine_gaps = 0;
  auto& gm = static_cast<emu::xen::GuestMemory&>(k->mem());
  for (size_t i = 1; i < ipas.size(); ++i) {
    ipa_gaps += ipas[i] != ipas[i - 1] + kPageSize;
    machine_gaps += *gm.p2m(ipas[i]) != *gm.p2m(ipas[i - 1]) + kPageSize;
  }
  for (auto pa : ipas) k->mem().put_page(pa);
  EXPECT_GT(machine_gaps, ipa_gaps);  // the p2m scatters what the guest sees as contiguous

  client::SharedMemory shm;
  ASSERT_TRUE(client::SharedMemory::register_memory(*c.ctx, buf.data(), kSize, &shm).ok());
  client::Operation op;
  op.params[0] = client::Param::memref(client::Dir::kOut, shm, 4096 + 5, kSize - 8192);
  op.params[1] = client::Param::value(client::Dir::kIn, 0x21);
  ASSERT_TRUE(s.invoke(TA_BENCH_CMD_MEMREF_WRITE, &op).ok());
  const auto* b = static_cast<const uint8_t*>(buf.data());
  EXPECT_EQ(b[4096 + 4], 0);
  for (size_t i = 0; i < kSize - 8192; ++i)
    ASSERT_EQ(b[4096 + 5 + i], static_cast<uint8_t>(0x21 + i)) << "at " << i;
  EXPECT_EQ(b[kSize - 4096 + 5], 0);

  // A temporary memref: registered for this call only, its pins dropped when it ends.
  std::vector<uint8_t> plain(3 * kPageSize + 100);
  client::Operation op2;
  op2.params[0] = client::Param::tmpref(client::Dir::kOut, plain.data(), plain.size());
  op2.params[1] = client::Param::value(client::Dir::kIn, 7);
  ASSERT_TRUE(s.invoke(TA_BENCH_CMD_MEMREF_WRITE, &op2).ok());
  for (size_t i = 0; i < plain.size(); ++i)
    ASSERT_EQ(plain[i], static_cast<uint8_t>(7 + i)) << "at " << i;
  auto st = m->hypervisor()->mediator().state(*emu::Machine::domain_of(*k));
  EXPECT_EQ(st.shm_buffers, 1u);  // the registered one only
  EXPECT_EQ(st.shm_pages, 100u);
}

// A guest destroyed while its clients have calls in flight: the other guest keeps working
// throughout, and every resource of the destroyed one is released (threads, pins, shm, sessions,
// Xen pages, its RAM).
TEST(XenMediator, GuestDestroyedWithCallsInFlightReleasesEverything) {
  auto m = xen_machine({"guests=1", "guest_count=2", "threads=2"});
  auto keep = m->kernel();
  Client survivor(m, keep);
  auto ss = survivor.open_bench();
  // Counted once the survivor has loaded its TA: the RPC argument its secure thread keeps cached
  // (ENABLE_SHM_CACHE) is the survivor's, and stays.
  const size_t free_before = m->mem().free_page_count();
  const uint64_t xen_pages_before = m->hypervisor()->mediator().xen_pages();
  auto doomed = m->create_guest();
  const uint16_t doomed_id = doomed->domid() + 1;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> survivor_calls{0}, survivor_errors{0};
  std::thread bg([&] {
    while (!stop) {
      if (ss.invoke(TA_BENCH_CMD_NOP).ok())
        survivor_calls++;
      else
        survivor_errors++;
    }
  });
  {
    auto victim = std::make_unique<Client>(m, doomed);
    client::UserBuffer buf(*victim->dev, 8 * kPageSize);
    client::SharedMemory shm;
    ASSERT_TRUE(
        client::SharedMemory::register_memory(*victim->ctx, buf.data(), 8 * kPageSize, &shm).ok());
    auto s1 = victim->open_bench();
    auto s2 = victim->open_bench();
    std::vector<std::thread> ts;
    std::atomic<int> failed{0};
    for (auto* s : {&s1, &s2})
      ts.emplace_back([&, s] {
        client::Operation op;
        op.params[0] = client::Param::value(client::Dir::kIn, 500);
        op.params[1] = client::Param::memref(client::Dir::kIn, shm);
        if (!s->invoke(TA_BENCH_CMD_WAIT, &op).ok()) failed++;
      });
    auto prtn = m->optee_os().guest(doomed_id);
    ASSERT_NE(prtn, nullptr);
    ASSERT_TRUE(testing_support::wait_for_suspended(prtn->threads(), 2));
    prtn.reset();
    auto* d = emu::Machine::domain_of(*doomed);
    EXPECT_GT(m->hypervisor()->mediator().state(*d).pinned_pages, 0u);
    m->destroy_guest(*doomed);
    EXPECT_EQ(m->optee_os().guest(doomed_id), nullptr);
    EXPECT_EQ(m->optee_os().partitions().size(), 1u);  // threads, sessions, shm of it: gone
    EXPECT_EQ(m->hypervisor()->mediator().state(*d).pinned_pages, 0u);
    for (auto& t : ts) t.join();  // the dead guest's callers come back with errors
    EXPECT_EQ(failed.load(), 2);
    EXPECT_FALSE(s1.invoke(TA_BENCH_CMD_NOP).ok());
  }
  doomed.reset();  // the last holder of the guest's kernel: its RAM goes back
  const uint64_t mid = survivor_calls.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  bg.join();
  EXPECT_GT(survivor_calls.load(), mid);
  EXPECT_EQ(survivor_errors.load(), 0u);
  EXPECT_EQ(m->hypervisor()->mediator().xen_pages(), xen_pages_before + 0);
  EXPECT_EQ(m->mem().free_page_count(), free_before);
  // And its slot can be used by a new guest.
  auto again = m->create_guest();
  Client c(m, again);
  auto s = c.open_bench();
  EXPECT_TRUE(s.invoke(TA_BENCH_CMD_NOP).ok());
}

}  // namespace
