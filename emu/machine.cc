#include "emu/machine.h"

#include <stdexcept>

namespace emu {

namespace {

// What a guest kernel runs on: its domain (RAM, p2m) and its trap into Xen.
struct GuestHolder {
  std::shared_ptr<xen::Domain> domain;
  xen::Vsmc vsmc;
};

}  // namespace

Machine::Machine(const EmuConfig& cfg, const Interposer& interposer) : cfg_(cfg) {
  cost_ = std::make_unique<platform::CostModel>(
      cfg.profile == "none" ? platform::Profile{} : platform::load_profile(cfg.profile));
  mem_ = std::make_unique<platform::PhysMem>(cfg.mem);
  os_ = std::make_unique<optee_os::OpteeOs>(cfg.os, *mem_, *cost_);
  if (cfg.hypervisor == HypervisorKind::kXen) {
    if (interposer) throw std::logic_error("an interposer and Xen both want the SMC path");
    hv_ = std::make_unique<xen::Hypervisor>(*mem_, *os_, *cost_, cfg.xen);
    for (uint32_t i = 0; i < cfg.guests; ++i) create_guest();
    return;
  }
  platform::SmcConduit* conduit = os_.get();
  if (interposer) {
    interposer_ = interposer(*os_);
    conduit = interposer_.get();
  }
  kernels_.push_back(std::make_shared<Kernel>(0, *mem_, *conduit, cfg.driver, cfg.supplicant));
}

Machine::~Machine() {
  // Kernels first: their drivers still talk to OP-TEE (through Xen) as they go.
  std::vector<std::shared_ptr<Kernel>> ks;
  {
    std::lock_guard g(lock_);
    ks.swap(kernels_);
  }
  ks.clear();
}

std::vector<std::shared_ptr<Kernel>> Machine::kernels() const {
  std::lock_guard g(lock_);
  return kernels_;
}

std::shared_ptr<Kernel> Machine::kernel() const {
  std::lock_guard g(lock_);
  if (kernels_.empty()) throw std::runtime_error("the machine has no running guest");
  return kernels_.front();
}

std::shared_ptr<Kernel> Machine::create_guest() {
  if (!hv_) throw std::runtime_error("guests need the hypervisor: --set hypervisor=xen");
  auto d = hv_->create_domain(cfg_.guest_ram);
  auto holder = std::make_shared<GuestHolder>(GuestHolder{d, xen::Vsmc(*hv_, d)});
  std::shared_ptr<Kernel> k;
  try {
    k = std::make_shared<Kernel>(d->domid(), d->mem(), holder->vsmc, cfg_.driver, cfg_.supplicant,
                                 holder);
  } catch (...) {
    hv_->destroy_domain(*d);
    throw;
  }
  std::lock_guard g(lock_);
  kernels_.push_back(k);
  return k;
}

xen::Domain* Machine::domain_of(Kernel& k) {
  if (k.domid() == 0) return nullptr;
  return &static_cast<xen::Vsmc&>(k.driver().conduit()).domain();
}

void Machine::destroy_guest(Kernel& k) {
  xen::Domain* d = domain_of(k);
  if (!hv_ || !d) throw std::logic_error("destroy_guest: not a guest kernel");
  hv_->destroy_domain(*d);
  std::lock_guard g(lock_);
  std::erase_if(kernels_, [&k](const auto& p) { return p.get() == &k; });
}

}  // namespace emu
