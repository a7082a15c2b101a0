#include "emu/machine.h"

namespace emu {

Machine::Machine(const EmuConfig& cfg, const Interposer& interposer) : cfg_(cfg) {
  cost_ = std::make_unique<platform::CostModel>(
      cfg.profile == "none" ? platform::Profile{} : platform::load_profile(cfg.profile));
  mem_ = std::make_unique<platform::PhysMem>(cfg.mem);
  os_ = std::make_unique<optee_os::OpteeOs>(cfg.os, *mem_, *cost_);
  platform::SmcConduit* conduit = os_.get();
  if (interposer) {
    interposer_ = interposer(*os_);
    conduit = interposer_.get();
  }
  driver_ = std::make_unique<linux_tee::optee::Optee>(*conduit, *mem_, cfg.driver);
}

Machine::~Machine() = default;

std::unique_ptr<linux_tee::Process> Machine::spawn_process() {
  return std::make_unique<linux_tee::Process>(*mem_);
}

}  // namespace emu
