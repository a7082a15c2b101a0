// The OP-TEE driver (Linux drivers/tee/optee/): probe and capabilities (core.cc), calls and the
// message-argument cache (call.cc), the SMC ABI with its RPC loop (smc_abi.cc, rpc.cc), the call
// queue (call_queue.cc) and notifications (notif.cc).
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "emu/abi/optee_msg.h"
#include "emu/linux_tee/optee/call_queue.h"
#include "emu/linux_tee/optee/supp.h"
#include "emu/linux_tee/tee_core.h"
#include "emu/linux_tee/tee_shm_pool.h"
#include "emu/platform/smc.h"

namespace emu::linux_tee::optee {

// The kernel-switchable defects of reference §7.1 and §8.1 (off by default).
struct Defects {
  // §7.1: the first OCALL series: no extra references on an invocation's shm while an OCALL is
  // pending, and no cancellation when the context's fd is closed. With 2 secure threads, a client
  // dying mid-OCALL then deadlocks both.
  bool ocall_deadlock = false;
  // §8.1b: message-argument pages allocated on the caller's context (as upstream does), so the
  // cache keeps that context alive after its process has gone.
  bool ctx_pinned_by_arg_cache = false;
};

struct DriverConfig {
  DriverGen gen = DriverGen::k6_8;
  bool ocall = true;  // offer the OCALL protocol (TEE_OPTEE_CAP_OCALL, reference §7.1)
  Defects defects;
};

// What probe learned from the secure world; reported by `teebench info`.
struct ProbeInfo {
  uint32_t sec_caps = 0;
  uint32_t rpc_param_count = 0;
  uint32_t os_revision_major = 0;
  uint32_t os_revision_minor = 0;
  uint32_t os_build_id = 0;
  uint32_t thread_count = 0;  // 0 if GET_THREAD_COUNT is not used / not answered
  bool static_pool = false;
};

struct OcallCall;  // ocall.cc

// Per-context state (struct optee_context_data): the sessions this context opened and the calls
// it has suspended in an OCALL, by OCALL id (idr from 1).
struct ContextData {
  std::mutex lock;
  std::vector<uint32_t> sessions;
  std::map<int, std::unique_ptr<OcallCall>> ocalls;
  int next_ocall_id = 1;
};

class Optee final : public TeeDriver {
 public:
  // optee_probe: talks to the secure world through `conduit`. Throws std::runtime_error naming
  // the failed step when the secure world is not a usable OP-TEE.
  Optee(platform::SmcConduit& conduit, platform::Memory& mem, const DriverConfig& cfg);
  ~Optee() override;

  TeeDevice& client_device() { return *teedev_; }
  // /dev/teeprivN: where tee-supplicant attaches.
  TeeDevice& supplicant_device() { return *suppdev_; }
  Supp& supp() { return supp_; }
  const ProbeInfo& probe_info() const { return info_; }
  CallQueue& call_queue() { return *cq_; }
  platform::SmcConduit& conduit() { return conduit_; }
  size_t arg_cache_pages() const;

  // TeeDriver
  void get_version(tee_ioctl_version_data* v) override;
  int open(TeeContext* ctx) override;
  void release(TeeContext* ctx) override;
  int open_session(TeeContext* ctx, tee_ioctl_open_session_arg* arg, TeeParam* params) override;
  int close_session(TeeContext* ctx, uint32_t session) override;
  int invoke_func(TeeContext* ctx, tee_ioctl_invoke_arg* arg, TeeParam* params) override;
  int cancel_req(TeeContext* ctx, uint32_t cancel_id, uint32_t session) override;
  void close_context(TeeContext* ctx) override;
  int supp_recv(TeeContext* ctx, uint32_t* func, uint32_t* num_params, TeeParam* params) override;
  int supp_send(TeeContext* ctx, uint32_t ret, uint32_t num_params, TeeParam* params) override;
  int shm_register(TeeContext* ctx, TeeShm* shm) override;
  int shm_unregister(TeeContext* ctx, TeeShm* shm) override;
  TeeShmPool& pool() override { return *pool_; }

 private:
  friend struct OcallCall;
  struct MsgArg {
    TeeShm* shm = nullptr;
    size_t offs = 0;
    abi::OpteeMsgArg* arg = nullptr;
    size_t entry = 0;
    size_t slot = 0;
  };
  struct ArgCacheEntry {
    TeeShm* shm = nullptr;
    std::vector<bool> used;
  };

  void probe();
  // call.cc
  int get_msg_arg(TeeContext* ctx, uint32_t num_params, MsgArg* out);
  void free_msg_arg(const MsgArg& m);
  int close_session_helper(TeeContext* ctx, uint32_t session);
  // smc_abi.cc
  int do_call_with_arg(TeeContext* ctx, const MsgArg& m, bool system_thread = false);
  // The same call loop in steps, so a call can leave the kernel in the middle (an OCALL) and be
  // resumed by a later ioctl.
  struct CallState {
    MsgArg m;
    platform::SmcRegs call;               // the first SMC, again after ETHREAD_LIMIT
    platform::SmcRegs regs;               // the next SMC to make
    abi::OpteeMsgArg* rpc_arg = nullptr;  // with RPC_ARG: the arg's companion
    CallQueue::Waiter w;
    std::vector<TeeShm*> pages_lists;
    bool started = false;
  };
  enum class Step { kDone, kOcall };
  void call_begin(const MsgArg& m, bool system_thread, CallState* cs);
  // Runs until the call ends (kDone, *rc set) or, if `ocall` is set, until OP-TEE asks for
  // something only the client can give (kOcall: regs hold the RPC, its arg in *req).
  Step call_run(TeeContext* ctx, CallState* cs, bool ocall, abi::OpteeMsgArg** req, int* rc);
  void call_end(CallState* cs);
  abi::OpteeMsgArg* rpc_cmd_arg(const CallState& cs) const;
  // ocall.cc
  int invoke_ocall(TeeContext* ctx, tee_ioctl_invoke_arg* arg, TeeParam* params, size_t n,
                   TeeParam& desc);
  int ocall_surface(TeeContext* ctx, OcallCall* oc, tee_ioctl_invoke_arg* arg, TeeParam* params,
                    size_t n, TeeParam& desc, Step step, int rc);
  void ocall_cancel(TeeContext* ctx, std::unique_ptr<OcallCall> oc);
  void ocall_cancel_session(TeeContext* ctx, uint32_t session);
  int to_msg_param(abi::OpteeMsgParam* mp, const TeeParam* params, size_t n);
  void from_msg_param(TeeParam* params, size_t n, const abi::OpteeMsgParam* mp);
  // REGISTER_SHM of shm's pages; `carrier` is the argument page to use instead of the cache's.
  int register_pages(TeeContext* ctx, TeeShm* shm, const MsgArg* carrier = nullptr);
  std::vector<platform::paddr_t> build_pages_list(const TeeShm& shm, TeeShm** list_shm);
  // rpc.cc
  // Frees a buffer the secure world took by RPC_FUNC_ALLOC (on RPC_FUNC_FREE or at teardown).
  void put_rpc_alloc(TeeShm* shm);
  void handle_rpc(TeeContext* ctx, platform::SmcRegs& regs, abi::OpteeMsgArg* rpc_arg,
                  std::vector<TeeShm*>* call_pages_lists);
  void handle_rpc_cmd(TeeContext* ctx, abi::OpteeMsgArg* arg, std::vector<TeeShm*>* lists);
  void rpc_shm_alloc(abi::OpteeMsgArg* arg, std::vector<TeeShm*>* lists);
  void rpc_shm_free(abi::OpteeMsgArg* arg);
  void rpc_supp_cmd(abi::OpteeMsgArg* arg);
  // The TMEM_OUTPUT param that lends `shm` to OP-TEE: by physical address in the carve-out, else
  // as a page list kept in *lists until the call ends. False if the list cannot be allocated.
  bool shm_to_tmem(TeeShm* shm, uint64_t size, abi::OpteeMsgParam* out,
                   std::vector<TeeShm*>* lists);
  TeeShm* rpc_shm_alloc_appl(size_t size, abi::OpteeMsgArg* arg);
  // notif.cc
  int notif_wait(uint64_t key);
  int notif_send(uint64_t key);

  platform::SmcConduit& conduit_;
  platform::Memory& mem_;
  DriverConfig cfg_;
  ProbeInfo info_;
  std::unique_ptr<TeeShmPool> pool_;
  std::unique_ptr<TeeDevice> teedev_;
  std::unique_ptr<TeeDevice> suppdev_;
  Supp supp_;
  std::unique_ptr<CallQueue> cq_;
  TeeContext* driver_ctx_ = nullptr;  // the driver's own context (optee->ctx)
  bool arg_cache_shared_ = false;     // OPTEE_SHM_ARG_SHARED
  bool arg_cache_priv_ = false;       // OPTEE_SHM_ARG_ALLOC_PRIV
  mutable std::mutex arg_cache_lock_;
  std::vector<ArgCacheEntry> arg_cache_;
  // Buffers the secure world took by OPTEE_SMC_RPC_FUNC_ALLOC and has not freed. Linux does not
  // track them; the emulator must, because a guest destroyed under Xen never gets them back (its
  // partition is gone, so DISABLE_SHM_CACHE returns nothing) and in real life its RAM simply goes.
  std::mutex rpc_alloc_lock_;
  std::set<TeeShm*> rpc_alloc_;
  std::mutex notif_lock_;
  std::condition_variable notif_cv_;
  std::map<uint64_t, uint32_t> notif_pending_;  // key -> sends not yet consumed
};

// The OCALL descriptor's function (TEE_IOCTL_OCALL_CMD_*) and the pairing with an OCALL id in its
// value.a. The series' numbers are not in the reference: teebench's assignments.
inline constexpr uint32_t kOcallCmdNone = 0;  // a new invocation, or (returned) the final result
inline constexpr uint32_t kOcallCmdInvoke = 1;
inline constexpr uint32_t kOcallCmdShmAlloc = 2;
inline constexpr uint32_t kOcallCmdShmFree = 3;
constexpr uint64_t ocall_make_pair(uint32_t func, uint32_t id) {
  return (uint64_t{func} << 32) | id;
}
constexpr uint32_t ocall_func(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
constexpr uint32_t ocall_id(uint64_t v) { return static_cast<uint32_t>(v); }
// impl_caps bit a kernel with the OCALL series sets (TEE_OPTEE_CAP_OCALL; teebench's number).
inline constexpr uint32_t kTeeOpteeCapOcall = 1u << 31;
// TEEC_ORIGIN_CLIENT_APP of the series: a result the client's handler produced.
inline constexpr uint32_t kTeecOriginClientApp = 5;

// A call suspended in an OCALL (struct optee_call_ctx of the series): its secure thread waits in
// the RPC while the client handles the request; the call-queue slot stays taken.
struct OcallCall {
  int id = 0;
  uint32_t session = 0;
  size_t num_params = 0;  // the invocation's, without the descriptor
  Optee::CallState cs;
  abi::OpteeMsgArg* req = nullptr;  // the RPC the client is answering
  uint32_t func = kOcallCmdNone;
  std::vector<TeeShm*> held;           // the invocation's memrefs, referenced until it ends
  std::map<int, TeeShm*> client_shms;  // buffers the client gave OP-TEE for this call (+1 ref)
};

}  // namespace emu::linux_tee::optee
