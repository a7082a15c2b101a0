// Xen's OP-TEE mediator (xen/arch/arm/tee/optee.c): every SMC a guest makes to OP-TEE traps into
// Xen and goes through here. It tags calls with the guest's client id (a7 = domid + 1), caps each
// domain's concurrent std calls at OP-TEE's thread count, shadows argument pages in Xen memory,
// translates guest page lists IPA -> PA (pinning each page), passes RPCs through with the copies
// they need, hides capabilities a guest may not use and refuses the calls it does not know.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "emu/platform/cost_model.h"
#include "emu/platform/phys_mem.h"
#include "emu/platform/smc.h"
#include "emu/xen/domain.h"

namespace emu::xen {

// Per-domain limits; the defaults are Xen's constants (reference §6.2).
struct MediatorLimits {
  uint32_t max_shm_buffer_pages = 129;   // MAX_SHM_BUFFER_PG: GP's 512 KiB + 1 for misalignment
  uint32_t max_shm_buffer_count = 16;    // MAX_SHM_BUFFER_COUNT
  uint32_t max_total_shm_pages = 16384;  // MAX_TOTAL_SMH_BUF_PG (a buffer may not reach it)
};

inline constexpr uint32_t kOpteeMediatorSmcCount = 11;  // OPTEE_MEDIATOR_SMC_COUNT

// What the mediator holds for one domain right now (for tests, teardown checks and counters).
struct DomainTeeState {
  uint32_t calls = 0;         // std calls in progress (including those waiting in an RPC)
  uint32_t shm_buffers = 0;   // optee_shm_buf: registered shm, temporary memrefs, RPC SHM_ALLOCs
  uint32_t shm_pages = 0;     // pages of those buffers (pinned)
  uint32_t rpc_buffers = 0;   // shm_rpc: RPC argument pages (pinned guest page + Xen shadow)
  uint64_t pinned_pages = 0;  // every guest page Xen holds a reference on
};

// Refusals, counted mediator-wide: the per-domain limits as a scenario sees them being hit.
struct MediatorCounters {
  std::atomic<uint64_t> thread_limit{0};  // std call refused with ETHREAD_LIMIT by Xen
  std::atomic<uint64_t> buffer_too_big{0};
  std::atomic<uint64_t> buffer_count{0};
  std::atomic<uint64_t> total_pages{0};
  std::atomic<uint64_t> pages_translated{0};
  std::atomic<uint64_t> duplicate_cookie{0};  // a buffer cookie the domain already has tracked
  std::atomic<uint64_t> rejected{0};  // unknown SMCs, bad addresses, old tmem, bad commands
};

class OpteeMediator {
 public:
  OpteeMediator(platform::PhysMem& mem, platform::SmcConduit& optee,
                const platform::CostModel& cost, MediatorLimits limits = {});
  // optee_probe: OP-TEE's UID, its thread count, and VM_DESTROYED(0) known (virtualization
  // built in). Returns "" or why the mediator cannot work.
  std::string probe();
  // optee_domain_init: VM_CREATED(domid + 1). Returns 0 or -ENODEV.
  int domain_init(Domain& d);
  // optee_relinquish_resources + VM_DESTROYED: drops every call, shadow page and pin of `d`.
  void relinquish_resources(Domain& d);
  // optee_handle_call: false if the SMC is not one the mediator knows (vsmc then answers
  // UNKNOWN_FUNCTION).
  bool handle_call(Domain& d, platform::SmcRegs& regs);

  uint32_t max_optee_threads() const { return max_optee_threads_; }
  const MediatorLimits& limits() const { return limits_; }
  DomainTeeState state(const Domain& d) const;
  const MediatorCounters& counters() const { return counters_; }
  // Xen heap pages the mediator holds (argument shadows, translated page lists).
  uint64_t xen_pages() const { return xen_pages_.load(); }

 private:
  struct Impl;
  friend struct Impl;
  platform::PhysMem& mem_;
  platform::SmcConduit& optee_;
  const platform::CostModel& cost_;
  MediatorLimits limits_;
  uint32_t max_optee_threads_ = 0;
  MediatorCounters counters_;
  std::atomic<uint64_t> xen_pages_{0};
};

inline uint64_t optee_client_id(const Domain& d) { return uint64_t{d.domid()} + 1; }

}  // namespace emu::xen
