// The teebench subcommands. Each registers its options on the CLI11 app and returns its exit code
// when run: 0 ok, 1 a check or invariant failed, 2 usage or input error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "targets/target.h"
#include "teebench/tee/context.h"

namespace app {

// --target and --set, shared by every command that talks to a device.
struct TargetOptions {
  std::string target = "emu";
  std::vector<std::string> settings;
  void add_to(CLI::App* cmd);
  // Builds the target; on a bad value prints a one-line error and returns false.
  bool resolve(targets::TargetSpec* out) const;
  // Resolves, opens the target, a client device and a context on it; prints a one-line error
  // and returns false.
  bool open(targets::TargetSpec* out, std::unique_ptr<targets::Target>* target,
            std::unique_ptr<client::Device>* dev, std::unique_ptr<client::Context>* ctx) const;
};

using Runner = std::function<int()>;
Runner add_info(CLI::App& app);
Runner add_smoke(CLI::App& app);
Runner add_run(CLI::App& app);
Runner add_list(CLI::App& app);

}  // namespace app
