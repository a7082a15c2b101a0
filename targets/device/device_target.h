// A real TEE device node (/dev/teeN) as a target: a board, or the guest side of the qemu target.
// It can tell only what Linux shows: the UAPI version, the kernel version and what the OP-TEE
// driver wrote to the kernel log when it probed (docs/targets.md).
#pragma once

#include <string>

#include "targets/target.h"

namespace targets {

class DeviceTarget final : public Target {
 public:
  // Throws std::runtime_error when `path` is missing or not a character device.
  explicit DeviceTarget(std::string path);
  Capabilities capabilities() const override;
  std::unique_ptr<client::Device> new_client(uint32_t guest) override;
  StackFacts facts() const override;

 private:
  std::string path_;
};

// Facts from the OP-TEE driver's probe messages in `log` (kernel log text), e.g.
// "optee: revision 4.9 (c2b0684fcd899299)". Exposed for tests.
StackFacts facts_from_kernel_log(const std::string& log);
// The driver's call queue generation from a kernel release such as "6.1.0-28-arm64":
// "6.8" from Linux 6.8 on (thread counting), "pre-6.8" before; "" if unparsable.
std::string driver_generation(const std::string& release);

}  // namespace targets
