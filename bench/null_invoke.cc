// The null invoke through the whole client path: client library -> emulated kernel (TEE core,
// OP-TEE driver, call queue) -> SMC -> OP-TEE (thread, entry, TA) and back. Reports p50/p99 of
// single invokes besides Google Benchmark's mean, since the target is a percentile.
#include <bench_ta.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "targets/target.h"
#include "teebench/tee/bench_ocall.h"
#include "teebench/tee/context.h"
#include "teebench/tee/session.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Stack {
  explicit Stack(std::initializer_list<std::string> settings) {
    targets::TargetSpec spec;
    if (auto e = targets::parse_target("emu", std::vector<std::string>(settings), &spec);
        !e.empty())
      throw std::runtime_error(e);
    target = targets::open(spec);
    dev = target->new_client();
    ctx = std::make_unique<client::Context>(*dev);
    if (!ctx->open().ok() || !client::Session::open(*ctx, client::bench_ta_uuid(), &session).ok())
      throw std::runtime_error("cannot open the bench TA on the emulated stack");
  }
  std::unique_ptr<targets::Target> target;
  std::unique_ptr<client::Device> dev;
  std::unique_ptr<client::Context> ctx;
  client::Session session;
};

void report_percentiles(benchmark::State& state, std::vector<uint64_t>& ns) {
  if (ns.empty()) return;
  std::sort(ns.begin(), ns.end());
  auto pct = [&](double p) {
    return static_cast<double>(ns[std::min(ns.size() - 1, static_cast<size_t>(p * ns.size()))]);
  };
  state.counters["p50_ns"] = pct(0.50);
  state.counters["p99_ns"] = pct(0.99);
  state.counters["p999_ns"] = pct(0.999);
}

void null_invoke(benchmark::State& state, std::initializer_list<std::string> settings) {
  Stack s(settings);
  std::vector<uint64_t> ns;
  ns.reserve(1 << 22);
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const auto r = s.session.invoke(TA_BENCH_CMD_NOP);
    const auto t1 = Clock::now();
    if (!r.ok()) {
      state.SkipWithError(client::to_string(r).c_str());
      break;
    }
    if (ns.size() < ns.capacity()) ns.push_back(static_cast<uint64_t>((t1 - t0).count()));
  }
  state.SetItemsProcessed(state.iterations());
  report_percentiles(state, ns);
}

void BM_NullInvoke(benchmark::State& state) { null_invoke(state, {"profile=none"}); }
void BM_NullInvokeStaticShm(benchmark::State& state) {
  null_invoke(state, {"profile=none", "dyn_shm=n"});
}
void BM_NullInvokeJunoA57(benchmark::State& state) { null_invoke(state, {"profile=juno-a57"}); }
// The same call from a guest through Xen's OP-TEE mediator: trap, 4 KiB argument shadow, copy back.
void BM_NullInvokeXen(benchmark::State& state) {
  null_invoke(state, {"profile=none", "hypervisor=xen"});
}
void BM_NullInvokeXenJunoA57(benchmark::State& state) {
  null_invoke(state, {"profile=juno-a57", "hypervisor=xen"});
}

// Registered memory used per call: OP-TEE maps every page for the call (cost grows with size).
void memref_read(benchmark::State& state, std::initializer_list<std::string> settings) {
  Stack s(settings);
  const size_t size = static_cast<size_t>(state.range(0));
  client::UserBuffer buf(*s.dev, size);
  client::SharedMemory shm;
  if (!client::SharedMemory::register_memory(*s.ctx, buf.data(), size, &shm).ok()) {
    state.SkipWithError("register failed");
    return;
  }
  client::Operation op;
  op.params[0] = client::Param::memref(client::Dir::kIn, shm);
  op.params[1] = client::Param::value(client::Dir::kOut);
  for (auto _ : state) {
    if (!s.session.invoke(TA_BENCH_CMD_MEMREF_READ, &op).ok()) {
      state.SkipWithError("invoke failed");
      break;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}
void BM_MemrefRead(benchmark::State& state) { memref_read(state, {"profile=none"}); }
// Under Xen a registered buffer is translated and pinned once, at registration; a tmpref would be
// translated page by page on every call.
void BM_MemrefReadXen(benchmark::State& state) {
  memref_read(state, {"profile=none", "hypervisor=xen"});
}

// One TA -> client round trip per invoke, with a payload of range(0) bytes: the in-thread OCALL
// protocol (the invoke ioctl returns to the client and is re-entered with the answer) against the
// upstream tee-supplicant plugin (RPC to tee-supplicant; SHM_ALLOC/FREE with a payload).
void round_trip(benchmark::State& state, uint32_t cmd, bool ocall) {
  Stack s({"profile=none"});
  const auto bytes = static_cast<uint32_t>(state.range(0));
  std::vector<uint64_t> ns;
  ns.reserve(1 << 20);
  for (auto _ : state) {
    client::Operation op;
    op.params[0] = client::Param::value(client::Dir::kIn, bytes, 1);
    op.params[1] = client::Param::value(client::Dir::kOut);
    const auto t0 = Clock::now();
    const auto r = ocall ? s.session.invoke(cmd, &op, client::bench_ocall_handler)
                         : s.session.invoke(cmd, &op);
    const auto t1 = Clock::now();
    if (!r.ok() || op.params[1].a() != 1) {
      state.SkipWithError(client::to_string(r).c_str());
      break;
    }
    if (ns.size() < ns.capacity()) ns.push_back(static_cast<uint64_t>((t1 - t0).count()));
  }
  state.SetItemsProcessed(state.iterations());
  report_percentiles(state, ns);
}
void BM_OcallRoundTrip(benchmark::State& state) { round_trip(state, TA_BENCH_CMD_OCALL, true); }
void BM_PluginRoundTrip(benchmark::State& state) { round_trip(state, TA_BENCH_CMD_PLUGIN, false); }

}  // namespace

BENCHMARK(BM_NullInvoke)->MinTime(1.0);
BENCHMARK(BM_NullInvokeStaticShm)->MinTime(1.0);
BENCHMARK(BM_NullInvokeJunoA57)->MinTime(0.5);
BENCHMARK(BM_NullInvokeXen)->MinTime(1.0);
BENCHMARK(BM_NullInvokeXenJunoA57)->MinTime(0.5);
BENCHMARK(BM_MemrefRead)->RangeMultiplier(16)->Range(4096, 1 << 20);
BENCHMARK(BM_OcallRoundTrip)->Arg(0)->Arg(4096)->Arg(65536);
BENCHMARK(BM_PluginRoundTrip)->Arg(0)->Arg(4096)->Arg(65536);
BENCHMARK(BM_MemrefReadXen)->RangeMultiplier(8)->Range(4096, 512 << 10);

BENCHMARK_MAIN();
