#include "emu/kernel.h"

namespace emu {

Kernel::Kernel(uint16_t domid, platform::Memory& mem, platform::SmcConduit& conduit,
               const linux_tee::optee::DriverConfig& cfg, bool supplicant,
               std::shared_ptr<void> holder)
    : holder_(std::move(holder)),
      domid_(domid),
      mem_(mem),
      driver_(std::make_unique<linux_tee::optee::Optee>(conduit, mem, cfg)) {
  if (supplicant) start_supplicant();
}

void Kernel::start_supplicant() {
  if (supplicant_) return;
  auto* drv = driver_.get();
  supplicant_ = std::make_unique<supplicant::TeeSupplicant>(drv->supplicant_device(), mem_,
                                                            [drv] { drv->supp().interrupt(); });
}

Kernel::~Kernel() {
  supplicant_.reset();  // user space goes before the driver
  driver_.reset();
}

std::unique_ptr<linux_tee::Process> Kernel::spawn_process() {
  return std::make_unique<linux_tee::Process>(mem_);
}

}  // namespace emu
