#include <fmt/core.h>

#include "app/commands.h"
#include "emu/config.h"

namespace app {

void TargetOptions::add_to(CLI::App* cmd) {
  cmd->add_option("--target", target,
                  "emu (the emulated OP-TEE stack) or a device such as /dev/tee0")
      ->capture_default_str();
  std::string knobs;
  for (const auto& k : emu::knobs())
    knobs += fmt::format("\n  {:<22} {:<14} {}", k.name, k.alias, k.help);
  cmd->add_option("--set", settings, "key=value for the emulated stack; keys:" + knobs)
      ->type_name("KEY=VALUE");
}

bool TargetOptions::resolve(client::Target* out) const {
  if (auto e = client::configure_target(*out, target, settings); !e.empty()) {
    fmt::print(stderr, "teebench: {}\n", e);
    return false;
  }
  return true;
}

bool TargetOptions::open(client::Target* out, std::unique_ptr<client::Device>* dev,
                         std::unique_ptr<client::Context>* ctx) const {
  if (!resolve(out)) return false;
  try {
    *dev = client::open_target(*out);
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
