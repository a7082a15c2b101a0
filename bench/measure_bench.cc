// The cost of measuring: recording one operation (two timestamps and a histogram insert) against
// a bare loop, a histogram insert alone, and the open-loop pacer's accuracy at 100k ops/s.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "measure/clock.h"
#include "measure/histogram.h"
#include "workloads/pacer.h"

namespace {

const measure::Clock& clock_for(const benchmark::State& state) {
  static const measure::Clock cycles = measure::Clock::select("auto");
  static const measure::Clock mono = measure::Clock::select("monotonic");
  return state.range(0) ? cycles : mono;
}

void BM_BareLoop(benchmark::State& state) {
  uint64_t x = 0;
  for (auto _ : state) benchmark::DoNotOptimize(x += 1);
}

// The floor: the two timestamps alone.
void BM_TwoTimestamps(benchmark::State& state) {
  const measure::Clock& clock = clock_for(state);
  for (auto _ : state) {
    const uint64_t t0 = clock.now();
    const uint64_t t1 = clock.now();
    benchmark::DoNotOptimize(t1 - t0);
  }
  state.SetLabel(clock.info().name);
}

// What the runner does around every call: two timestamps, one insert.
void BM_RecordOperation(benchmark::State& state) {
  const measure::Clock& clock = clock_for(state);
  measure::Recorder rec;
  for (auto _ : state) {
    const uint64_t t0 = clock.now();
    const uint64_t t1 = clock.now();
    rec.record(clock.to_ns(t1 - t0));
  }
  state.SetLabel(clock.info().name);
}

void BM_HistogramInsert(benchmark::State& state) {
  measure::Recorder rec;
  std::vector<uint64_t> values(1 << 16);
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> lat(8.5, 1.5);  // ~5 us, long tail
  for (auto& v : values) v = static_cast<uint64_t>(lat(rng));
  size_t i = 0;
  for (auto _ : state) {
    rec.record(values[i]);
    i = (i + 1) & (values.size() - 1);
  }
}

// Paces 100k calls/s for one second of empty work and reports how close the rate came.
void BM_Pacer100k(benchmark::State& state) {
  const measure::Clock& clock = clock_for(state);
  constexpr double kRate = 100000;
  for (auto _ : state) {
    workloads::Pacer pacer(
        clock, state.range(1) ? workloads::Arrival::kPoisson : workloads::Arrival::kConstant, 42);
    measure::Histogram lag;
    const uint64_t t0 = clock.now();
    const uint64_t end = t0 + clock.from_ns(1000000000);
    uint64_t next = t0;
    uint64_t calls = 0;
    while (next < end) {
      const uint64_t now = pacer.wait_until(next);
      lag.record(clock.to_ns(now - next));
      ++calls;
      next += pacer.gap(kRate);
    }
    const double secs = static_cast<double>(clock.to_ns(clock.now() - t0)) / 1e9;
    state.counters["rate_per_s"] = calls / secs;
    state.counters["rate_error_pct"] = 100.0 * (calls / secs - kRate) / kRate;
    state.counters["lag_p50_ns"] = static_cast<double>(lag.percentile(50));
    state.counters["lag_p99_ns"] = static_cast<double>(lag.percentile(99));
    state.counters["lag_max_ns"] = static_cast<double>(lag.max());
  }
  state.SetLabel(std::string(clock.info().name) + (state.range(1) ? " poisson" : " constant"));
}

}  // namespace

BENCHMARK(BM_BareLoop);
BENCHMARK(BM_TwoTimestamps)->Arg(1)->Arg(0);
BENCHMARK(BM_RecordOperation)->Arg(1)->Arg(0);  // 1 = cycle counter, 0 = CLOCK_MONOTONIC
BENCHMARK(BM_HistogramInsert);
BENCHMARK(BM_Pacer100k)->Args({1, 0})->Args({1, 1})->Iterations(1)->Unit(benchmark::kMillisecond);
