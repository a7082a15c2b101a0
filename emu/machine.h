// One emulated board: physical memory, the cost model, OP-TEE OS in the secure world and the Linux
// kernel's TEE subsystem with the OP-TEE driver in the normal world, wired through the SMC conduit.
#pragma once

#include <functional>
#include <memory>

#include "emu/config.h"
#include "emu/linux_tee/optee/optee_private.h"
#include "emu/linux_tee/process.h"
#include "emu/optee_os/optee_os.h"
#include "emu/platform/cost_model.h"
#include "emu/platform/phys_mem.h"

namespace emu {

class Machine {
 public:
  // Throws std::runtime_error with a one-line reason (bad profile, driver probe failure, ...).
  // Something placed between the normal world and OP-TEE on the SMC path (a hypervisor, or a
  // fault injector in tests): given OP-TEE's conduit, returns the conduit the driver will use.
  using Interposer = std::function<std::unique_ptr<platform::SmcConduit>(platform::SmcConduit&)>;
  explicit Machine(const EmuConfig& cfg, const Interposer& interposer = {});
  ~Machine();

  const EmuConfig& config() const { return cfg_; }
  platform::PhysMem& mem() { return *mem_; }
  const platform::CostModel& cost() const { return *cost_; }
  optee_os::OpteeOs& optee_os() { return *os_; }
  linux_tee::optee::Optee& driver() { return *driver_; }
  linux_tee::TeeDevice& tee0() { return driver_->client_device(); }
  // A new emulated client process of this machine.
  std::unique_ptr<linux_tee::Process> spawn_process();

 private:
  EmuConfig cfg_;
  std::unique_ptr<platform::PhysMem> mem_;
  std::unique_ptr<platform::CostModel> cost_;
  std::unique_ptr<optee_os::OpteeOs> os_;
  std::unique_ptr<platform::SmcConduit> interposer_;
  std::unique_ptr<linux_tee::optee::Optee> driver_;
};

}  // namespace emu
