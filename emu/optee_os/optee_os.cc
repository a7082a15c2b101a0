// OP-TEE OS as a whole: the monitor's dispatch of an SMC to fast or std handling in the caller's
// partition, the partitions themselves (optee_os core/arch/arm/kernel/virtualization.c), and the
// capabilities it advertises (core/arch/arm/tee/entry_fast.c).
#include "emu/optee_os/optee_os.h"

#include <stdexcept>

#include "emu/abi/optee_smc.h"

namespace emu::optee_os {

using namespace emu::abi;

uint32_t OpteeOs::sec_caps() const {
  uint32_t caps = OPTEE_SMC_SEC_CAP_MEMREF_NULL | OPTEE_SMC_SEC_CAP_RPC_ARG;
  if (cfg_.core_reserved_shm) caps |= OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM;
  // Dynamic shm needs a non-secure DDR range to validate page lists against; we always have one.
  if (cfg_.core_dyn_shm) caps |= OPTEE_SMC_SEC_CAP_DYNAMIC_SHM;
  if (cfg_.ns_virtualization) caps |= OPTEE_SMC_SEC_CAP_VIRTUALIZATION;
  return caps;
}

OpteeOs::OpteeOs(const Config& cfg, platform::PhysMem& mem, const platform::CostModel& cost)
    : cfg_(cfg), mem_(mem), cost_(cost) {
  if (!cfg.ns_virtualization) default_ = std::make_shared<Partition>(*this, kHypClientId);
}

OpteeOs::~OpteeOs() = default;

Partition& OpteeOs::partition() {
  if (!default_) throw std::logic_error("OP-TEE runs with virtualization: name a guest partition");
  return *default_;
}

const Partition& OpteeOs::partition() const { return const_cast<OpteeOs*>(this)->partition(); }

std::shared_ptr<Partition> OpteeOs::guest(uint16_t id) const {
  std::lock_guard g(nexus_lock_);
  auto it = guests_.find(id);
  return it == guests_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Partition>> OpteeOs::partitions() const {
  if (default_) return {default_};
  std::lock_guard g(nexus_lock_);
  std::vector<std::shared_ptr<Partition>> out;
  for (const auto& [id, p] : guests_) out.push_back(p);
  for (const auto& w : shutting_down_)
    if (auto p = w.lock()) out.push_back(std::move(p));
  return out;
}

bool OpteeOs::all_threads_free() const {
  for (const auto& p : partitions())
    if (!p->threads().all_free()) return false;
  return true;
}

size_t OpteeOs::session_count() const {
  size_t n = 0;
  for (const auto& p : partitions()) n += p->ta_manager().session_count();
  return n;
}

size_t OpteeOs::ta_instance_count() const {
  size_t n = 0;
  for (const auto& p : partitions()) n += p->ta_manager().instance_count();
  return n;
}

uint64_t OpteeOs::ta_instances_created() const {
  uint64_t n = 0;
  for (const auto& p : partitions()) n += p->ta_manager().instances_created();
  return n;
}

size_t OpteeOs::reg_shm_count() const {
  size_t n = 0;
  for (const auto& p : partitions()) n += p->reg_shm().count();
  return n;
}

std::shared_ptr<Partition> OpteeOs::set_guest(uint64_t a7) const {
  if (default_) return default_;  // a7 is not looked at without virtualization
  return guest(static_cast<uint16_t>(a7));
}

size_t OpteeOs::partitions_in_memory() const {
  size_t n = guests_.size();
  for (const auto& w : shutting_down_) n += !w.expired();
  return n;
}

uint32_t OpteeOs::guest_created(uint64_t guest_id) {
  const auto id = static_cast<uint16_t>(guest_id);
  std::lock_guard g(nexus_lock_);
  // A partition's TEE and TA RAM is a 1/CFG_VIRT_GUEST_COUNT slice, so one more guest than that
  // finds no memory; a destroyed guest's slice is free only once its last call has left.
  if (id == kHypClientId || guests_.count(id) || partitions_in_memory() >= cfg_.virt_guest_count)
    return OPTEE_SMC_RETURN_ENOTAVAIL;
  guests_.emplace(id, std::make_shared<Partition>(*this, id));
  return OPTEE_SMC_RETURN_OK;
}

uint32_t OpteeOs::guest_destroyed(uint64_t guest_id) {
  std::shared_ptr<Partition> last;
  {
    std::lock_guard g(nexus_lock_);
    std::erase_if(shutting_down_, [](const auto& w) { return w.expired(); });
    auto it = guests_.find(static_cast<uint16_t>(guest_id));
    // An unknown guest is only logged by OP-TEE; the hypervisor still gets OK.
    if (it == guests_.end()) return OPTEE_SMC_RETURN_OK;
    last = std::move(it->second);
    guests_.erase(it);
    shutting_down_.push_back(last);
  }
  // `last` is dropped outside the nexus lock: if no call is in flight this frees the partition.
  return OPTEE_SMC_RETURN_OK;
}

void OpteeOs::smc(platform::SmcRegs& regs) {
  cost_.charge(platform::Cost::kSmcRoundTrip);
  // Without virtualization the one partition lives as long as OP-TEE: no reference to take.
  std::shared_ptr<Partition> ref;
  Partition* prtn = default_.get();
  if (!prtn) {
    ref = set_guest(regs.a[7]);
    prtn = ref.get();
  }
  if (smc_is_fast(regs.a[0])) {
    // The hypervisor's own fast calls run in no partition.
    if (!prtn && static_cast<uint16_t>(regs.a[7]) != kHypClientId) {
      regs.a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
      return;
    }
    fast_smc(prtn, regs);
    return;
  }
  if (!prtn) {
    regs.a[0] = OPTEE_SMC_RETURN_ENOTAVAIL;
    return;
  }
  prtn->threads().handle_std_smc(regs);
}

OpteeOs& OpteeOs::current() { return Partition::current().os(); }

}  // namespace emu::optee_os
