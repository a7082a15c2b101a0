// One Linux kernel in the normal world with the TEE subsystem and the OP-TEE driver: the board's
// own kernel, or a guest's kernel under Xen. It sees memory through a platform::Memory view (the
// machine's, or the guest's IPA space) and reaches OP-TEE through an SMC conduit (OP-TEE itself,
// or the hypervisor's trap).
#pragma once

#include <cstdint>
#include <memory>

#include "emu/linux_tee/optee/optee_private.h"
#include "emu/linux_tee/process.h"
#include "emu/platform/memory.h"
#include "emu/platform/smc.h"
#include "emu/supplicant/tee_supplicant.h"

namespace emu {

class Kernel {
 public:
  // `holder` keeps whatever `mem` and `conduit` live in (a guest's domain) alive for as long as
  // this kernel; it is released last. Throws std::runtime_error if the driver does not probe.
  Kernel(uint16_t domid, platform::Memory& mem, platform::SmcConduit& conduit,
         const linux_tee::optee::DriverConfig& cfg, bool supplicant,
         std::shared_ptr<void> holder = nullptr);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  // The Xen domain id this kernel runs in; 0 without a hypervisor.
  uint16_t domid() const { return domid_; }
  platform::Memory& mem() { return mem_; }
  linux_tee::optee::Optee& driver() { return *driver_; }
  linux_tee::TeeDevice& tee0() { return driver_->client_device(); }
  std::unique_ptr<linux_tee::Process> spawn_process();
  // tee-supplicant, if this kernel runs one (nullptr otherwise).
  supplicant::TeeSupplicant* supplicant() { return supplicant_.get(); }
  // Stops tee-supplicant (as by `kill`): RPCs that need it fail from now on.
  void stop_supplicant() { supplicant_.reset(); }
  // Starts tee-supplicant again if it is not running (as systemd's Restart= would).
  void start_supplicant();

 private:
  std::shared_ptr<void> holder_;
  uint16_t domid_;
  platform::Memory& mem_;
  std::unique_ptr<linux_tee::optee::Optee> driver_;
  std::unique_ptr<supplicant::TeeSupplicant> supplicant_;
};

}  // namespace emu
