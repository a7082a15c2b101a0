// SMC-level behaviour seen through the client: a resume with a wrong thread id (ERESUME) becomes
// TEEC_ERROR_COMMUNICATION from COMMS (reference §2.3, §8.10), and the call-queue fallback.
#include <atomic>

#include "emu/abi/optee_smc.h"
#include "support/emu_stack.h"

namespace {

using namespace emu::abi;
using testing_support::EmuStack;

// Corrupts the thread id of the first RETURN_FROM_RPC and remembers the real one.
class BadResume final : public emu::platform::SmcConduit {
 public:
  explicit BadResume(emu::platform::SmcConduit& os) : os_(os) {}
  void smc(emu::platform::SmcRegs& r) override {
    if (armed && r.a[0] == OPTEE_SMC_CALL_RETURN_FROM_RPC) {
      armed = false;
      real_thread = r.a[3];
      r.a[3] = 7;  // no such thread
    }
    os_.smc(r);
  }
  std::atomic<bool> armed{false};
  uint64_t real_thread = ~uint64_t{0};
  emu::platform::SmcConduit& os_;
};

TEST(Eresume, IsCommunicationErrorFromComms) {
  BadResume* bad = nullptr;
  EmuStack s(testing_support::config(), [&bad](emu::platform::SmcConduit& os) {
    auto p = std::make_unique<BadResume>(os);
    bad = p.get();
    return p;
  });
  auto session = s.open_bench();
  bad->armed = true;
  client::Operation op;
  op.params[0] = client::Param::value(client::Dir::kIn, 1);
  const auto r = session.invoke(TA_BENCH_CMD_WAIT, &op);  // WAIT exits with an RPC
  EXPECT_EQ(r.err, 0);
  EXPECT_EQ(r.code, client::kTeecErrorCommunication);
  EXPECT_EQ(r.origin, client::kTeecOriginComms);

  // The real thread is still SUSPENDED in its RPC: a kernel that lost it leaks the slot.
  auto& threads = s.machine->optee_os().threads();
  ASSERT_LT(bad->real_thread, threads.count());
  EXPECT_EQ(threads.states()[bad->real_thread], emu::optee_os::ThreadState::kSuspended);
  // Answer it properly and the slot comes back.
  emu::platform::SmcRegs resume;
  resume.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
  resume.a[3] = bad->real_thread;
  bad->os_.smc(resume);
  EXPECT_EQ(resume.a[0], OPTEE_SMC_RETURN_OK);
  EXPECT_TRUE(threads.all_free());
  EXPECT_TRUE(session.invoke(TA_BENCH_CMD_NOP).ok());
}

TEST(FastCalls, AnswerTheRealIdentifiers) {
  EmuStack s;
  auto& os = s.machine->optee_os();
  emu::platform::SmcRegs r;
  r.a[0] = OPTEE_SMC_CALLS_UID;
  os.smc(r);
  EXPECT_EQ(r.a[0], 0x384fb3e0u);
  EXPECT_EQ(r.a[3], 0xa5d5c51bu);
  r = {};
  r.a[0] = OPTEE_SMC_CALLS_REVISION;
  os.smc(r);
  EXPECT_EQ(r.a[0], 2u);
  r = {};
  r.a[0] = OPTEE_SMC_GET_THREAD_COUNT;
  os.smc(r);
  EXPECT_EQ(r.a[1], 2u);
  r = {};
  r.a[0] = OPTEE_SMC_EXCHANGE_CAPABILITIES;
  r.a[1] = 1u << 5;  // an NSEC capability OP-TEE does not know
  os.smc(r);
  EXPECT_EQ(r.a[0], OPTEE_SMC_RETURN_ENOTAVAIL);
  r = {};
  r.a[0] = 0xB200FFFEu;  // unknown fast call
  os.smc(r);
  EXPECT_EQ(r.a[0], OPTEE_SMC_RETURN_UNKNOWN_FUNCTION);
}

TEST(StdCalls, BadArgumentAddressesAndCommands) {
  EmuStack s;
  auto& os = s.machine->optee_os();
  emu::platform::SmcRegs r;
  r.a[0] = OPTEE_SMC_CALL_WITH_ARG;
  r.a[2] = s.machine->mem().base() + 8;  // not page aligned, not in the carve-out
  os.smc(r);
  EXPECT_EQ(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
  r = {};
  r.a[0] = OPTEE_SMC_CALL_WITH_REGD_ARG;
  r.a[1] = 0x1234;  // no such cookie
  os.smc(r);
  EXPECT_EQ(r.a[0], OPTEE_SMC_RETURN_EBADADDR);
  r = {};
  r.a[0] = smc_std(0x77);  // unknown std function
  os.smc(r);
  EXPECT_EQ(r.a[0], OPTEE_SMC_RETURN_EBADCMD);
  r = {};
  r.a[0] = OPTEE_SMC_CALL_RETURN_FROM_RPC;
  r.a[3] = 0;  // thread 0 is FREE, not SUSPENDED
  os.smc(r);
  EXPECT_EQ(r.a[0], OPTEE_SMC_RETURN_ERESUME);
  EXPECT_TRUE(os.threads().all_free());
}

TEST(ShmCache, DisableIsBusyWhileAThreadIsInUseAndReturnsCachedArgs) {
  EmuStack s;
  auto& os = s.machine->optee_os();
  emu::platform::SmcRegs r;
  r.a[0] = OPTEE_SMC_ENABLE_SHM_CACHE;
  os.smc(r);
  EXPECT_EQ(r.a[0], OPTEE_SMC_RETURN_OK);
  r = {};
  r.a[0] = OPTEE_SMC_DISABLE_SHM_CACHE;
  os.smc(r);
  EXPECT_EQ(r.a[0], OPTEE_SMC_RETURN_ENOTAVAIL);  // empty: the driver supplies RPC args
}

}  // namespace
