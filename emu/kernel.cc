#include "emu/kernel.h"

namespace emu {

Kernel::Kernel(uint16_t domid, platform::Memory& mem, platform::SmcConduit& conduit,
               const linux_tee::optee::DriverConfig& cfg, std::shared_ptr<void> holder)
    : holder_(std::move(holder)),
      domid_(domid),
      mem_(mem),
      driver_(std::make_unique<linux_tee::optee::Optee>(conduit, mem, cfg)) {}

Kernel::~Kernel() { driver_.reset(); }

std::unique_ptr<linux_tee::Process> Kernel::spawn_process() {
  return std::make_unique<linux_tee::Process>(mem_);
}

}  // namespace emu
