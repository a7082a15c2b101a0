#include "targets/emu/emu_target.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <stdexcept>

#include "emu/abi/optee_smc.h"
#include "emu/machine.h"
#include "targets/emu/emu_device.h"

namespace targets {
namespace {

std::string sec_cap_names(uint32_t caps) {
  using namespace emu::abi;
  constexpr std::pair<uint32_t, const char*> kNames[] = {
      {OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM, "HAVE_RESERVED_SHM"},
      {OPTEE_SMC_SEC_CAP_UNREGISTERED_SHM, "UNREGISTERED_SHM"},
      {OPTEE_SMC_SEC_CAP_DYNAMIC_SHM, "DYNAMIC_SHM"},
      {OPTEE_SMC_SEC_CAP_VIRTUALIZATION, "VIRTUALIZATION"},
      {OPTEE_SMC_SEC_CAP_MEMREF_NULL, "MEMREF_NULL"},
      {OPTEE_SMC_SEC_CAP_ASYNC_NOTIF, "ASYNC_NOTIF"},
      {OPTEE_SMC_SEC_CAP_RPC_ARG, "RPC_ARG"}};
  std::string out;
  for (const auto& [bit, name] : kNames)
    if (caps & bit) out += (out.empty() ? "" : " | ") + std::string(name);
  return out;
}

}  // namespace

emu::EmuConfig emu_config(const TargetSpec& spec) {
  emu::EmuConfig cfg;
  for (const auto& [k, v] : spec.knobs)
    if (auto e = emu::apply_setting(cfg, k, v); !e.empty()) throw std::runtime_error(e);
  return cfg;
}

EmuTarget::EmuTarget(const emu::EmuConfig& cfg)
    : machine_(std::make_shared<emu::Machine>(cfg)), kernels_(machine_->kernels()) {}

EmuTarget::~EmuTarget() = default;

Capabilities EmuTarget::capabilities() const {
  Capabilities c;
  c.guests = machine_->hypervisor() != nullptr;
  c.destroy_guest = c.guests;
  c.defects = true;
  c.ocall_protocol = true;
  c.kill_client = true;
  c.stack_counters = true;
  c.thread_states = true;
  return c;
}

std::unique_ptr<client::Device> EmuTarget::new_client(uint32_t guest) {
  if (guest < 1 || guest > kernels_.size())
    throw std::runtime_error(
        "guest " + std::to_string(guest) + " does not exist: the stack has " +
        std::to_string(kernels_.size()) +
        (machine_->hypervisor() ? " (set stack.guests)" : " (guests need stack.hypervisor=xen)"));
  return std::make_unique<EmuDevice>(machine_, kernels_[guest - 1]);
}

void EmuTarget::kill_client(client::Device& dev) {
  auto* emu = dynamic_cast<EmuDevice*>(&dev);
  if (!emu) throw std::runtime_error("kill_client: the device is not one of this target's clients");
  emu->kill();
}

GuestRelease EmuTarget::destroy_guest(uint32_t guest) {
  if (!machine_->hypervisor())
    throw std::runtime_error("destroying a guest needs stack.hypervisor=xen");
  if (guest < 1 || guest > kernels_.size())
    throw std::runtime_error("guest " + std::to_string(guest) + " does not exist");
  emu::Kernel& k = *kernels_[guest - 1];
  emu::xen::Domain* d = emu::Machine::domain_of(k);
  const auto t0 = std::chrono::steady_clock::now();
  machine_->destroy_guest(k);
  GuestRelease r;
  r.destroy_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto& os = machine_->optee_os();
  const auto st = machine_->hypervisor()->mediator().state(*d);
  r.partition_left = os.guest(k.domid() + 1) != nullptr;
  r.partitions_in_memory = static_cast<double>(os.partitions().size());
  r.live_guests = static_cast<double>(machine_->kernels().size());
  r.xen_calls = st.calls;
  r.xen_shm_buffers = st.shm_buffers;
  r.xen_rpc_buffers = st.rpc_buffers;
  r.xen_pinned_pages = static_cast<double>(st.pinned_pages);
  return r;
}

Target::Occupancy EmuTarget::occupancy() const {
  auto& m = *machine_;
  double busy = 0, suspended = 0, sleeping = 0;
  for (const auto& p : m.optee_os().partitions())
    for (auto st : p->threads().states()) {
      busy += st != emu::optee_os::ThreadState::kFree;
      suspended += st == emu::optee_os::ThreadState::kSuspended;
    }
  for (const auto& k : m.kernels())
    sleeping += static_cast<double>(k->driver().call_queue().sleeping());
  return {busy, suspended, sleeping};
}

StackCounters EmuTarget::counters() const {
  auto& m = *machine_;
  StackCounters c;
  double threads = 0, free = 0, suspended = 0, va_pages = 0;
  for (const auto& p : m.optee_os().partitions())
    va_pages += static_cast<double>(p->shm_vaspace().used_pages());
  for (const auto& p : m.optee_os().partitions())
    for (auto st : p->threads().states()) {
      threads += 1;
      free += st == emu::optee_os::ThreadState::kFree;
      suspended += st == emu::optee_os::ThreadState::kSuspended;
    }
  double limit = 0, waits = 0, waiting = 0, arg_pages = 0, user_shm = 0, supp_pending = 0;
  double contexts = 0, sleeping = 0, sleeping_peak = 0;
  for (const auto& k : m.kernels()) {
    auto& cq = k->driver().call_queue();
    limit += static_cast<double>(cq.ethread_limit_count());
    waits += static_cast<double>(cq.accounted_waits());
    waiting += static_cast<double>(cq.waiting());
    sleeping += static_cast<double>(cq.sleeping());
    sleeping_peak += static_cast<double>(cq.sleeping_peak());
    arg_pages += static_cast<double>(k->driver().arg_cache_pages());
    user_shm += static_cast<double>(k->tee0().shm_count());
    contexts += static_cast<double>(k->tee0().contexts_live());
    supp_pending += static_cast<double>(k->driver().supp().pending());
  }
  c.secure_threads = threads;
  c.secure_threads_free = free;
  c.secure_threads_suspended = suspended;
  c.ethread_limit_returns = limit;
  c.call_queue_waits = waits;
  c.call_queue_waiting = waiting;
  c.call_queue_sleeping = sleeping;
  c.call_queue_sleeping_peak = sleeping_peak;
  c.sessions_open = static_cast<double>(m.optee_os().session_count());
  c.ta_instances = static_cast<double>(m.optee_os().ta_instance_count());
  c.ta_instances_created = static_cast<double>(m.optee_os().ta_instances_created());
  c.registered_shm_objects = static_cast<double>(m.optee_os().reg_shm_count());
  c.driver_arg_pages = arg_pages;
  c.user_shm_objects = user_shm;
  c.contexts_open = contexts;
  c.shm_va_pages_mapped = va_pages;
  c.supplicant_requests_pending = supp_pending;
  if (auto* hv = m.hypervisor()) {
    const auto& n = hv->mediator().counters();
    c.xen_thread_limit_refusals = static_cast<double>(n.thread_limit.load());
    c.xen_buffer_too_big = static_cast<double>(n.buffer_too_big.load());
    c.xen_buffer_count_refusals = static_cast<double>(n.buffer_count.load());
    c.xen_total_pages_refusals = static_cast<double>(n.total_pages.load());
    c.xen_pages_translated = static_cast<double>(n.pages_translated.load());
    c.xen_rejected = static_cast<double>(n.rejected.load());
    c.xen_pages_held = static_cast<double>(hv->mediator().xen_pages());
    for (size_t g = 0; g < kernels_.size(); ++g) {
      const auto st = hv->mediator().state(*emu::Machine::domain_of(*kernels_[g]));
      c.guests.push_back({static_cast<uint32_t>(g + 1), static_cast<double>(st.pinned_pages),
                          static_cast<double>(st.shm_buffers)});
    }
  }
  return c;
}

StackFacts EmuTarget::facts() const {
  const auto& p = machine_->driver().probe_info();
  const auto& cfg = machine_->config();
  const std::string drv = "emulated driver's probe";
  const std::string conf = "emulator configuration";
  StackFacts f;
  f.optee_revision = {
      std::to_string(p.os_revision_major) + "." + std::to_string(p.os_revision_minor), drv};
  f.optee_build_id = {fmt::format("{:x}", p.os_build_id), drv};
  f.sec_caps = {sec_cap_names(p.sec_caps), drv};
  f.secure_threads = {std::to_string(cfg.os.num_threads), conf};
  f.driver = {emu::to_string(cfg.driver.gen), conf};
  f.shm_pool = {p.static_pool ? "static" : "dynamic", drv};
  if (p.sec_caps & emu::abi::OPTEE_SMC_SEC_CAP_ASYNC_NOTIF) f.async_notif = {"y", drv};
  f.carveout_bytes = {std::to_string(machine_->mem().carveout_size()), conf};
  f.profile = {machine_->cost().profile().name, conf};
  f.profile_description = {machine_->cost().profile().description, conf};
  if (machine_->hypervisor()) {
    f.hypervisor = {"xen", conf};
    f.guests = {std::to_string(kernels_.size()), conf};
  }
  return f;
}

nlohmann::json EmuTarget::details() const {
  const auto& prof = machine_->cost().profile();
  nlohmann::json costs = nlohmann::json::object();
  for (size_t i = 0; i < prof.costs.size(); ++i)
    if (!prof.costs[i].source.empty())
      costs[std::string(emu::platform::kCostNames[i])] = {{"ns", prof.costs[i].ns},
                                                          {"source", prof.costs[i].source}};
  return {{"profile", {{"name", prof.name}, {"description", prof.description}, {"costs", costs}}},
          {"configuration", emu::to_json(machine_->config())}};
}

std::vector<std::string> EmuTarget::thread_states() const {
  std::vector<std::string> out;
  for (const auto& p : machine_->optee_os().partitions()) {
    const auto states = p->threads().states();
    const std::string pre = machine_->hypervisor() ? "guest " + std::to_string(p->id()) + " " : "";
    for (size_t i = 0; i < states.size(); ++i)
      out.push_back(pre + "thread " + std::to_string(i) + " " +
                    emu::optee_os::to_string(states[i]));
  }
  return out;
}

}  // namespace targets
