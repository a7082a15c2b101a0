#include "emu/xen/hypervisor.h"

#include <stdexcept>

#include "emu/abi/optee_smc.h"

namespace emu::xen {

void Vsmc::smc(platform::SmcRegs& regs) {
  if (!d_->enter()) {
    regs.a[0] = abi::OPTEE_SMC_RETURN_ENOTAVAIL;
    return;
  }
  hv_.cost().charge(platform::Cost::kMediatorTrap);
  if (!hv_.mediator().handle_call(*d_, regs)) regs.a[0] = abi::OPTEE_SMC_RETURN_UNKNOWN_FUNCTION;
  d_->leave();
}

Hypervisor::Hypervisor(platform::PhysMem& mem, platform::SmcConduit& optee,
                       const platform::CostModel& cost, MediatorLimits limits)
    : mem_(mem), cost_(cost), mediator_(mem, optee, cost, limits) {
  if (auto why = mediator_.probe(); !why.empty())
    throw std::runtime_error("xen: OP-TEE mediator disabled: " + why);
}

std::shared_ptr<Domain> Hypervisor::create_domain(size_t ram_size) {
  uint16_t domid = 0;
  {
    std::lock_guard g(lock_);
    domid = next_domid_++;
  }
  auto d = std::make_shared<Domain>(domid, std::make_unique<GuestMemory>(mem_, ram_size, domid));
  if (mediator_.domain_init(*d) != 0)
    throw std::runtime_error("xen: domain " + std::to_string(domid) +
                             ": OP-TEE refused VM_CREATED (no room for another guest partition: "
                             "raise CFG_VIRT_GUEST_COUNT)");
  std::lock_guard g(lock_);
  domains_.emplace(domid, d);
  return d;
}

void Hypervisor::destroy_domain(Domain& d) {
  d.pause_for_destroy();
  mediator_.relinquish_resources(d);
  std::lock_guard g(lock_);
  domains_.erase(d.domid());
}

std::vector<std::shared_ptr<Domain>> Hypervisor::domains() const {
  std::lock_guard g(lock_);
  std::vector<std::shared_ptr<Domain>> out;
  for (const auto& [id, d] : domains_) out.push_back(d);
  return out;
}

}  // namespace emu::xen
