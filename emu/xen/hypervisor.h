// The hypervisor: builds and destroys domains and traps their SMCs (xen/arch/arm/vsmc.c) into the
// TEE mediator. Each domain's guest kernel talks to OP-TEE only through its Vsmc conduit.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "emu/platform/cost_model.h"
#include "emu/platform/phys_mem.h"
#include "emu/platform/smc.h"
#include "emu/xen/domain.h"
#include "emu/xen/optee.h"

namespace emu::xen {

class Hypervisor;

// A guest's `smc #0`: trapped by Xen (HSR.EC = SMC64), handed to the mediator, answered
// UNKNOWN_FUNCTION if it is not the mediator's. A destroyed domain's vCPUs never run again; the
// emulator's stand-in is ENOTAVAIL for any SMC its leftover client threads still make.
class Vsmc final : public platform::SmcConduit {
 public:
  Vsmc(Hypervisor& hv, std::shared_ptr<Domain> d) : hv_(hv), d_(std::move(d)) {}
  void smc(platform::SmcRegs& regs) override;
  Domain& domain() { return *d_; }

 private:
  Hypervisor& hv_;
  std::shared_ptr<Domain> d_;
};

class Hypervisor {
 public:
  // Probes the mediator; throws std::runtime_error with a one-line reason if it cannot work.
  Hypervisor(platform::PhysMem& mem, platform::SmcConduit& optee, const platform::CostModel& cost,
             MediatorLimits limits = {});
  // domain_create with tee="optee": RAM from the machine, then VM_CREATED. Throws
  // std::runtime_error naming the problem (no machine memory, OP-TEE refusing another guest).
  std::shared_ptr<Domain> create_domain(size_t ram_size);
  // domain_destroy: pause (wait for vCPUs inside a call to come out), relinquish the mediator's
  // resources, VM_DESTROYED. The guest's RAM goes back to the machine when the last holder of the
  // Domain lets go of it.
  void destroy_domain(Domain& d);

  OpteeMediator& mediator() { return mediator_; }
  const platform::CostModel& cost() const { return cost_; }
  std::vector<std::shared_ptr<Domain>> domains() const;

 private:
  platform::PhysMem& mem_;
  const platform::CostModel& cost_;
  OpteeMediator mediator_;
  mutable std::mutex lock_;
  uint16_t next_domid_ = 1;  // domU ids; dom0 is not emulated
  std::map<uint16_t, std::shared_ptr<Domain>> domains_;
};

}  // namespace emu::xen
