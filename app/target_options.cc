#include <fmt/core.h>

#include "app/commands.h"

namespace app {

void TargetOptions::add_to(CLI::App* cmd) {
  cmd->add_option("--target", target,
                  "emu (the emulated OP-TEE stack), a device such as /dev/tee0, or "
                  "qemu[:VERSION|FIRMWARE] (a real OP-TEE booted under QEMU)")
      ->capture_default_str();
  cmd->add_option("--set", settings,
                  "key=value for the emulated stack; keys:" + targets::knob_help())
      ->type_name("KEY=VALUE");
}

bool TargetOptions::resolve(targets::TargetSpec* out) const {
  if (auto e = targets::parse_target(target, settings, out); !e.empty()) {
    fmt::print(stderr, "teebench: {}\n", e);
    return false;
  }
  return true;
}

bool TargetOptions::open(targets::TargetSpec* out, std::unique_ptr<targets::Target>* opened,
                         std::unique_ptr<client::Device>* dev,
                         std::unique_ptr<client::Context>* ctx) const {
  if (!resolve(out)) return false;
  try {
    *opened = targets::open(*out);
    *dev = (*opened)->new_client();
  } catch (const std::exception& e) {
    fmt::print(stderr, "teebench: {}\n", e.what());
    return false;
  }
  *ctx = std::make_unique<client::Context>(**dev);
  std::string why;
  if (!(*ctx)->open(&why).ok()) {
    fmt::print(stderr, "teebench: {}\n", why);
    return false;
  }
  return true;
}

}  // namespace app
