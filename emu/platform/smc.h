// The SMC conduit: the only way the normal world (and the hypervisor) reaches the secure world.
// Registers a0..a7 are the whole interface, as on an Armv8 core executing `smc #0`.
#pragma once

#include <array>
#include <cstdint>

namespace emu::platform {

struct SmcRegs {
  std::array<uint64_t, 8> a{};
};

// Something that answers an SMC: OP-TEE's monitor entry, or the hypervisor trapping the guest's
// SMC.
class SmcConduit {
 public:
  virtual ~SmcConduit() = default;
  // Executes one SMC; on return `regs` holds the secure world's answer.
  virtual void smc(SmcRegs& regs) = 0;
};

}  // namespace emu::platform
