// The emulated OP-TEE stack as a target: one emu::Machine (kernels, Xen, OP-TEE, tee-supplicant)
// that every client process of a run shares. The only place above emu/ that sees its insides.
#pragma once

#include <memory>

#include "emu/config.h"
#include "targets/target.h"

namespace emu {
class Machine;
class Kernel;
}  // namespace emu

namespace targets {

// The emulator's configuration from a spec's knobs, applied in order.
emu::EmuConfig emu_config(const TargetSpec& spec);

class EmuTarget final : public Target {
 public:
  explicit EmuTarget(const emu::EmuConfig& cfg);
  ~EmuTarget() override;
  Capabilities capabilities() const override;
  std::unique_ptr<client::Device> new_client(uint32_t guest) override;
  uint32_t guest_count() const override { return static_cast<uint32_t>(kernels_.size()); }
  void kill_client(client::Device& dev) override;
  GuestRelease destroy_guest(uint32_t guest) override;
  StackCounters counters() const override;
  Occupancy occupancy() const override;
  StackFacts facts() const override;
  nlohmann::json details() const override;
  std::vector<std::string> thread_states() const override;

  emu::Machine& machine() { return *machine_; }

 private:
  std::shared_ptr<emu::Machine> machine_;
  std::vector<std::shared_ptr<emu::Kernel>> kernels_;  // guest g is kernels_[g - 1]
};

}  // namespace targets
