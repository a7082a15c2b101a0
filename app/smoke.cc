// `teebench smoke`: a short end-to-end check of the client path on any device, with the latency of
// the null invoke. Every step verifies what the TA returns; the exit code says if one failed.
#include <bench_ta.h>
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "app/commands.h"
#include "app/qemu_forward.h"
#include "teebench/tee/context.h"
#include "teebench/tee/session.h"

namespace app {
namespace {

using Clock = std::chrono::steady_clock;

struct Smoke {
  client::Device& dev;
  client::Context& ctx;
  int failures = 0;

  void check(bool ok, const std::string& what, const std::string& detail = {}) {
    fmt::print("  {:<44} {}{}\n", what, ok ? "ok" : "FAILED", detail.empty() ? "" : "  " + detail);
    failures += !ok;
  }

  void null_invoke(client::Session& s, size_t n) {
    std::vector<uint64_t> ns(n);
    for (size_t i = 0; i < std::min<size_t>(n / 10, 1000); ++i) s.invoke(TA_BENCH_CMD_NOP);
    const auto t0 = Clock::now();
    size_t errors = 0;
    for (size_t i = 0; i < n; ++i) {
      const auto a = Clock::now();
      errors += !s.invoke(TA_BENCH_CMD_NOP).ok();
      ns[i] = static_cast<uint64_t>((Clock::now() - a).count());
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::sort(ns.begin(), ns.end());
    auto pct = [&](double p) { return ns[std::min(n - 1, static_cast<size_t>(p * n))] / 1000.0; };
    check(errors == 0, fmt::format("null invoke x{}", n),
          fmt::format("p50 {:.2f} us  p99 {:.2f} us  max {:.1f} us  {:.0f} invokes/s", pct(0.5),
                      pct(0.99), ns.back() / 1000.0, n / secs));
  }

  void value(client::Session& s) {
    client::Operation op;
    op.params[0] = client::Param::value(client::Dir::kInOut, 41, 0x0f0f0f0f);
    const auto r = s.invoke(TA_BENCH_CMD_VALUE, &op);
    check(r.ok() && op.params[0].a() == 42 && op.params[0].b() == 0xf0f0f0f0u, "value echo",
          r.ok() ? "" : client::to_string(r));
  }

  void memref_round_trip(client::Session& s, const char* what, const client::SharedMemory& shm) {
    client::Operation w;
    w.params[0] = client::Param::memref(client::Dir::kOut, shm);
    w.params[1] = client::Param::value(client::Dir::kIn, 7);
    auto r = s.invoke(TA_BENCH_CMD_MEMREF_WRITE, &w);
    bool ok = r.ok();
    const auto* bytes = static_cast<const uint8_t*>(shm.data());
    for (size_t i = 0; ok && i < shm.size(); ++i) ok = bytes[i] == static_cast<uint8_t>(7 + i);
    client::Operation rd;
    rd.params[0] = client::Param::memref(client::Dir::kIn, shm);
    rd.params[1] = client::Param::value(client::Dir::kOut);
    r = s.invoke(TA_BENCH_CMD_MEMREF_READ, &rd);
    uint32_t sum = 0;
    for (size_t i = 0; i < shm.size(); ++i) sum += bytes[i];
    ok = ok && r.ok() && rd.params[1].a() == sum && rd.params[1].b() == shm.size();
    check(ok, fmt::format("{} memref {} KiB: TA writes, client reads", what, shm.size() / 1024),
          r.ok() ? "" : client::to_string(r));
  }

  void memrefs(client::Session& s) {
    client::SharedMemory alloc;
    auto r = client::SharedMemory::allocate(ctx, 64 * 1024, &alloc);
    check(r.ok(), "TEE_IOC_SHM_ALLOC 64 KiB", r.ok() ? "" : client::to_string(r));
    if (r.ok()) memref_round_trip(s, "allocated", alloc);
    if (!ctx.reg_mem()) return;
    client::UserBuffer buf(dev, 64 * 1024);
    client::SharedMemory reg;
    r = client::SharedMemory::register_memory(ctx, buf.data(), buf.size(), &reg);
    check(r.ok(), "TEE_IOC_SHM_REGISTER 64 KiB", r.ok() ? "" : client::to_string(r));
    if (r.ok()) memref_round_trip(s, "registered", reg);
    std::vector<uint8_t> tmp(10000, 3);
    client::Operation op;
    op.params[0] = client::Param::tmpref(client::Dir::kIn, tmp.data(), tmp.size());
    op.params[1] = client::Param::value(client::Dir::kOut);
    r = s.invoke(TA_BENCH_CMD_MEMREF_READ, &op);
    check(r.ok() && op.params[1].a() == 30000, "tmpref (registered per call) read",
          r.ok() ? "" : client::to_string(r));
  }

  void waiters(unsigned callers, uint32_t ms) {
    std::atomic<int> errors{0};
    const auto t0 = Clock::now();
    std::vector<std::thread> ts;
    for (unsigned i = 0; i < callers; ++i)
      ts.emplace_back([&] {
        client::Session s;
        if (!client::Session::open(ctx, client::bench_ta_uuid(), &s).ok()) {
          errors++;
          return;
        }
        client::Operation op;
        op.params[0] = client::Param::value(client::Dir::kIn, ms);
        errors += !s.invoke(TA_BENCH_CMD_WAIT, &op).ok();
      });
    for (auto& t : ts) t.join();
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    check(errors == 0, fmt::format("{} callers x WAIT {} ms", callers, ms),
          fmt::format("all done in {:.0f} ms", secs * 1000));
  }
};

}  // namespace

Runner add_smoke(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "smoke",
      "A short end-to-end run: null invoke latency, value, memrefs of every kind, and "
      "many callers queueing for few secure threads");
  auto opts = std::make_shared<TargetOptions>();
  auto invokes = std::make_shared<size_t>(20000);
  auto callers = std::make_shared<unsigned>(16);
  opts->add_to(cmd);
  cmd->add_option("--invokes", *invokes, "null invokes to time")->check(CLI::Range(1, 100000000));
  cmd->add_option("--callers", *callers, "concurrent WAIT callers")->check(CLI::Range(1, 1024));
  return [=]() {
    if (!*cmd) return -1;
    targets::TargetSpec spec;
    if (!opts->resolve(&spec)) return 2;
    if (spec.kind == targets::Kind::kQemu) {
      targets::qemu::GuestCommand g;
      g.argv = {"smoke",
                "--target",
                "/dev/tee0",
                "--invokes",
                std::to_string(*invokes),
                "--callers",
                std::to_string(*callers)};
      return run_in_qemu(spec, std::move(g), "");
    }
    std::unique_ptr<targets::Target> target;
    std::unique_ptr<client::Device> dev;
    std::unique_ptr<client::Context> context;
    if (!opts->open(&spec, &target, &dev, &context)) return 2;
    client::Context& ctx = *context;
    fmt::print("smoke run on {}\n", dev->name());
    Smoke smoke{*dev, ctx};
    client::Session s;
    const auto r = client::Session::open(ctx, client::bench_ta_uuid(), &s);
    smoke.check(r.ok(), "open session (bench TA)", r.ok() ? "" : client::to_string(r));
    if (!r.ok()) return 1;
    smoke.null_invoke(s, *invokes);
    smoke.value(s);
    smoke.memrefs(s);
    smoke.waiters(*callers, 5);
    if (target->capabilities().stack_counters) {
      const auto c = target->counters();
      smoke.check(c.secure_threads_free == c.secure_threads, "every secure thread FREE afterwards");
    }
    fmt::print("{}\n", smoke.failures ? "smoke: FAILED" : "smoke: all checks passed");
    return smoke.failures ? 1 : 0;
  };
}

}  // namespace app
