// One emulated board: physical memory, the cost model, OP-TEE OS in the secure world, and in the
// normal world either one Linux kernel that calls OP-TEE directly, or Xen with its OP-TEE mediator
// and a Linux kernel per guest domain.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "emu/config.h"
#include "emu/kernel.h"
#include "emu/optee_os/optee_os.h"
#include "emu/platform/cost_model.h"
#include "emu/platform/phys_mem.h"
#include "emu/xen/hypervisor.h"

namespace emu {

class Machine {
 public:
  // Something placed between the normal world and OP-TEE on the SMC path (a fault injector in
  // tests): given OP-TEE's conduit, returns the conduit the driver will use. Not with Xen.
  using Interposer = std::function<std::unique_ptr<platform::SmcConduit>(platform::SmcConduit&)>;
  // Throws std::runtime_error with a one-line reason (bad profile, driver probe failure, ...).
  explicit Machine(const EmuConfig& cfg, const Interposer& interposer = {});
  ~Machine();

  const EmuConfig& config() const { return cfg_; }
  platform::PhysMem& mem() { return *mem_; }
  const platform::CostModel& cost() const { return *cost_; }
  optee_os::OpteeOs& optee_os() { return *os_; }
  // Xen, if the machine runs one (nullptr otherwise).
  xen::Hypervisor* hypervisor() { return hv_.get(); }

  // The normal-world kernels: the board's one, or one per live guest (oldest first).
  std::vector<std::shared_ptr<Kernel>> kernels() const;
  // The first of them: what single-kernel users (most tests, `info`) talk to.
  std::shared_ptr<Kernel> kernel() const;
  linux_tee::optee::Optee& driver() { return kernel()->driver(); }
  linux_tee::TeeDevice& tee0() { return kernel()->tee0(); }
  std::unique_ptr<linux_tee::Process> spawn_process() { return kernel()->spawn_process(); }

  // With Xen: a new guest domain with its own kernel (throws std::runtime_error with the reason).
  std::shared_ptr<Kernel> create_guest();
  // With Xen: destroys the guest `k` runs in while everything else keeps running. Its clients'
  // further calls fail; its RAM returns to the machine once they have let go of `k`.
  void destroy_guest(Kernel& k);
  // The domain behind a guest kernel (nullptr for the board's own kernel).
  static xen::Domain* domain_of(Kernel& k);

 private:
  EmuConfig cfg_;
  std::unique_ptr<platform::CostModel> cost_;
  std::unique_ptr<platform::PhysMem> mem_;
  std::unique_ptr<optee_os::OpteeOs> os_;
  std::unique_ptr<platform::SmcConduit> interposer_;
  std::unique_ptr<xen::Hypervisor> hv_;
  mutable std::mutex lock_;
  std::vector<std::shared_ptr<Kernel>> kernels_;
};

}  // namespace emu
