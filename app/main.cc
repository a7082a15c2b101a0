// teebench: benchmark and stress the OP-TEE / Linux TEE stack.
#include <fmt/core.h>
#include <signal.h>

#include <CLI/CLI.hpp>

#include "app/commands.h"

int main(int argc, char** argv) {
  // A file size limit (ulimit -f) and a closed pipe are errors of the write that met them, to be
  // reported with the rest (EFBIG, EPIPE), not signals that kill the run and lose its data.
  signal(SIGXFSZ, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  CLI::App app{"teebench: latency and stress benchmarks for the OP-TEE / Linux TEE stack"};
  app.require_subcommand(1);
  app.set_version_flag("--version", TEEBENCH_VERSION " (" TEEBENCH_GIT_REVISION ")");
  std::vector<app::Runner> runners = {
      app::add_info(app),   app::add_smoke(app),   app::add_run(app),    app::add_list(app),
      app::add_export(app), app::add_compare(app), app::add_report(app), app::add_stress(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  // Each command reports its own errors; this is the net under them, so that nothing a user
  // types (or a full disk under a write nobody expected to fail) ends in std::terminate.
  try {
    for (auto& run : runners) {
      const int rc = run();
      if (rc >= 0) return rc;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "teebench: {}\n", e.what());
  }
  return 2;
}
