// What teebench runs against: the emulated OP-TEE stack, a real TEE device node, or a real OP-TEE
// booted under QEMU. Scenarios and the app see only this interface: they ask a target what it can
// do (Capabilities) and what it can tell (StackCounters, StackFacts) instead of reaching into the
// emulator. Something a target cannot tell is absent (std::nullopt), never a 0.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "targets/target_spec.h"
#include "teebench/tee/device.h"

namespace targets {

// What a target can do beyond the Linux TEE UAPI. Scenarios check these before timing and skip
// the parts a target cannot do, with the reason, instead of failing them.
struct Capabilities {
  bool guests = false;          // clients in several guests behind a hypervisor
  bool destroy_guest = false;   // a guest can be destroyed while others run
  bool defects = false;         // known upstream defects can be switched on
  bool ocall_protocol = false;  // the (unmerged) in-thread OCALL series
  bool kill_client = false;     // a client process can be killed mid-call
  bool stack_counters = false;  // secure-thread, call-queue and shm counters from inside
  bool thread_states = false;   // per-secure-thread FREE/ACTIVE/SUSPENDED
  // Why latencies measured here are not board timing ("" when they are), e.g. TCG under QEMU.
  std::string timing_caveat;
};

// Counters from inside the stack. Each is absent where the target cannot observe it.
struct GuestCounters {
  uint32_t guest = 0;
  std::optional<double> xen_pinned_pages, xen_shm_buffers;
};
struct StackCounters {
  std::optional<double> secure_threads, secure_threads_free, secure_threads_suspended;
  std::optional<double> ethread_limit_returns, call_queue_waits, call_queue_waiting;
  // Callers asleep in the driver for a secure thread, and the most at once since the stack
  // started (exact, all kernels summed).
  std::optional<double> call_queue_sleeping, call_queue_sleeping_peak;
  std::optional<double> sessions_open, registered_shm_objects, driver_arg_pages, user_shm_objects;
  // TA instances alive in OP-TEE, and created since the stack started (each is a TA load; a
  // keep-alive or single-instance TA is loaded once: docs/ta.md).
  std::optional<double> ta_instances, ta_instances_created;
  // Pages of registered shared memory OP-TEE has mapped into its shm VA window, all partitions.
  std::optional<double> shm_va_pages_mapped;
  // Contexts open on the client device (/dev/teeN); the driver's own, constant, included.
  std::optional<double> contexts_open;
  // RPC requests the driver holds for tee-supplicant: queued, or taken and not yet answered. A
  // SUSPENDED thread with a request here waits on the supplicant; with none, on something else.
  std::optional<double> supplicant_requests_pending;
  // Xen's mediator, with a hypervisor only.
  std::optional<double> xen_thread_limit_refusals, xen_buffer_too_big, xen_buffer_count_refusals,
      xen_total_pages_refusals, xen_pages_translated, xen_rejected, xen_pages_held;
  std::vector<GuestCounters> guests;

  // name -> value of the counters present, and the names of those absent.
  std::map<std::string, double> available() const;
  std::vector<std::string> unavailable() const;
};

// What a target says about the stack beyond the UAPI, each with where it came from.
struct Fact {
  std::string value;
  std::string source;  // "emulator configuration", "kernel log", "firmware build config"...
};
struct StackFacts {
  std::optional<Fact> optee_revision;  // "4.9"
  std::optional<Fact> optee_build_id;  // hex, as OP-TEE reports it
  std::optional<Fact> sec_caps;        // OPTEE_SMC_SEC_CAP_* names, " | "-separated
  std::optional<Fact> secure_threads;  // CFG_NUM_THREADS
  std::optional<Fact> driver;          // call queue generation: "6.8" or "pre-6.8"
  std::optional<Fact> shm_pool;        // "static" or "dynamic"
  std::optional<Fact> async_notif;     // "y" where OP-TEE and the driver use it
  std::optional<Fact> kernel;          // Linux release
  std::optional<Fact> profile;         // emulator cost profile
  std::optional<Fact> profile_description;
  std::optional<Fact> hypervisor;  // "xen"
  std::optional<Fact> guests;
  std::optional<Fact> carveout_bytes;
  std::optional<Fact> firmware;  // qemu: the firmware booted, with its hash
  std::optional<Fact> qemu;      // qemu: version and options

  // {name: value} of the facts present, and {name: source}.
  std::map<std::string, std::string> values() const;
  std::map<std::string, std::string> sources() const;
};

// What became of a destroyed guest: all zero when everything it held was released.
struct GuestRelease {
  double destroy_ms = 0;
  bool partition_left = false;
  double partitions_in_memory = 0, live_guests = 0;
  double xen_calls = 0, xen_shm_buffers = 0, xen_rpc_buffers = 0, xen_pinned_pages = 0;
  bool released() const;
  std::map<std::string, double> to_map() const;
};

// One instance of a target for a run: a board, or one emulated machine that several client
// processes share. Clients get a device each, as separate processes would.
class Target {
 public:
  virtual ~Target() = default;
  virtual Capabilities capabilities() const = 0;
  // A client process in guest `guest` (1-based; without a hypervisor there is only guest 1).
  // Throws std::runtime_error naming the problem.
  virtual std::unique_ptr<client::Device> new_client(uint32_t guest) = 0;
  std::unique_ptr<client::Device> new_client() { return new_client(1); }
  virtual uint32_t guest_count() const { return 1; }
  // Kills the client process behind `dev` as SIGKILL would (capabilities().kill_client).
  // Throws std::runtime_error where the target cannot.
  virtual void kill_client(client::Device& dev);
  // Destroys guest `guest` while everything else runs (capabilities().destroy_guest). Throws
  // std::runtime_error where the target cannot.
  virtual GuestRelease destroy_guest(uint32_t guest);
  virtual StackCounters counters() const { return {}; }
  // What is busy right now, cheap enough to sample every few milliseconds during a case (the
  // runner's occupancy series); all absent where the target cannot see inside.
  struct Occupancy {
    std::optional<double> secure_threads_busy, secure_threads_suspended, call_queue_sleeping;
  };
  virtual Occupancy occupancy() const { return {}; }
  virtual StackFacts facts() const { return {}; }
  // For `teebench info` only, never for decisions: anything else the target shows about itself
  // (the emulator: its cost profile, value by value with sources). Null if nothing.
  virtual nlohmann::json details() const;
  // One line per secure thread ("thread 0 FREE"...), where capabilities().thread_states.
  virtual std::vector<std::string> thread_states() const { return {}; }
};

// Opens the target the spec names (emu or a device node; a qemu spec runs the whole command in
// the guest instead, see targets/qemu). Throws std::runtime_error with a one-line message that
// says what to do.
std::unique_ptr<Target> open(const TargetSpec& spec);

}  // namespace targets
