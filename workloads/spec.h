// The workload model: what `teebench run` executes. Parsed from JSON (docs/workloads.md) and
// validated before anything runs; every error names the file, the JSON path and the problem.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "teebench/tee/session.h"
#include "teebench/tee/uuid.h"

namespace workloads {

enum class OpKind {
  kOpenClose,
  kNop,
  kValue,
  kMemrefRead,
  kMemrefWrite,
  kHold,
  kWait,
  kShmChurn,
  kOcall,       // TA -> client round trips over the in-thread OCALL protocol
  kPlugin,      // TA -> tee-supplicant plugin round trips (upstream)
  kOcallCrash,  // a fresh client that dies inside its OCALL handler
  // Script steps only (workloads/script.h): TEEC_InitializeContext / FinalizeContext,
  // TEEC_OpenSession / CloseSession, and one whole iteration of the script.
  kContextOpen,
  kContextClose,
  kSessionOpen,
  kSessionClose,
  kTransaction,
};
enum class Memory { kStatic, kRegistered, kTmpref, kCopy };

struct OpSpec {
  OpKind kind = OpKind::kNop;
  std::string name;  // as reported, e.g. "memref_read"
  double weight = 1;
  std::vector<uint64_t> sizes;  // bytes; one is drawn uniformly per call
  Memory memory = Memory::kRegistered;
  uint32_t hold_us = 0;
  uint32_t wait_ms = 0;
  uint32_t bytes = 0;  // ocall / plugin / ocall_crash payload
  uint32_t calls = 1;  // ocall / plugin: round trips per invoke
  // ocall: how long the client's handler works on each OCALL before it answers (a handler that
  // does I/O; the secure thread stays suspended meanwhile).
  uint32_t handler_us = 0;
};

struct Script;  // workloads/script.h

enum class Pacing { kClosed, kOpen };
enum class Arrival { kConstant, kPoisson };

struct GroupSpec {
  std::string name;
  // What the scenario uses the group for ("bulk", "keepalive"...; "" = nothing in particular).
  // Each scenario lists its roles (docs/scenarios.md); the name is the user's own.
  std::string role;
  // Client threads in all: processes x threads. Each process is its own device (a process in
  // the real stack) with one context its threads share (docs/workloads.md, "Topology").
  uint32_t clients = 1;
  uint32_t threads = 1;         // per process
  bool shared_session = false;  // one session per process instead of one per thread
  client::BenchTa ta = client::BenchTa::kMultiInstance;  // which benchmark TA kind (docs/ta.md)
  client::Login login = client::Login::kPublic;          // for every session the group opens
  Pacing pacing = Pacing::kClosed;
  double think_us = 0;    // closed loop
  double rate_per_s = 0;  // open loop: the whole group's rate
  Arrival arrival = Arrival::kConstant;
  std::vector<double> ramp;  // steps of active clients (closed) or rate (open)
  double ramp_step_s = 0;
  double start_s = 0;            // into the measured phase
  std::optional<double> stop_s;  // stops issuing at this time, if set
  bool record_samples = false;   // keep (time, latency) of every call (low-rate groups)
  uint32_t guest = 1;            // which guest's kernel the clients run in (1 = the first/native)
  // The group's guest is destroyed at this time into the measured phase (Xen only); the group
  // stops issuing then, and its calls in flight come back as counted errors.
  std::optional<double> destroy_guest_s;
  // Every process of the group is killed at this time into the measured phase, as SIGKILL would
  // (targets that can: the emulator): its threads' calls in flight come back as counted errors,
  // the group stops issuing, and the kernel must release all it held (no_leaks).
  std::optional<double> kill_s;
  // The operations: drawn at random by weight, or, with a script, one entry per step (its
  // statistics) plus the transaction's.
  std::vector<OpSpec> mix;
  std::shared_ptr<const Script> script;  // ordered steps instead of a random mix
};

struct WorkloadSpec {
  std::string name;
  std::string description;
  std::string scenario = "generic";
  nlohmann::json stack = nlohmann::json::object();  // emulated-stack knobs (key -> value)
  std::string clock = "auto";
  double warmup_s = 0;
  std::optional<double> duration_s;
  std::optional<uint64_t> operations;  // per client
  uint32_t repetitions = 1;
  uint64_t seed = 1;
  double interval_s = 1;
  // No call completes for this long while calls are in flight: the stack is hung. The case fails
  // with the secure threads' states as evidence and the command exits 1 (0 = no watchdog).
  double watchdog_s = 10;
  // A normal-world latency probe beside the clients, waking every this many microseconds
  // (0 = none): workloads/latency_probe.h.
  double latency_probe_us = 0;
  std::vector<GroupSpec> groups;
};

// One point of the sweep: its label, the overrides that made it, and the resolved spec.
struct Case {
  std::string part;  // the workload it came from (a suite includes several)
  std::string label;
  nlohmann::json params = nlohmann::json::object();
  WorkloadSpec spec;
};

struct Workload {
  std::string file;
  std::string name;
  std::string description;
  nlohmann::json document;  // after --set overrides, before the sweep
  std::vector<Case> cases;  // the sweep's cartesian product, in file order
};

class SpecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads, applies `overrides` ("path=value"; paths as in docs/workloads.md), expands the sweep and
// validates every case. Throws SpecError("FILE: $.path: what is wrong").
Workload load_workload(const std::string& file, const std::vector<std::string>& overrides = {});
// The same from an in-memory document (tests, bundled workloads).
Workload parse_workload(const std::string& file, nlohmann::json doc,
                        const std::vector<std::string>& overrides = {});

const char* to_string(OpKind k);
const char* to_string(Memory m);

}  // namespace workloads
