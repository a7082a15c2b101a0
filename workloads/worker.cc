#include "workloads/worker.h"

#include <algorithm>
#include <thread>

#include "workloads/pacer.h"

namespace workloads {
namespace {

void sleep_ticks(const measure::Clock& clock, uint64_t ticks) {
  std::this_thread::sleep_for(
      std::chrono::nanoseconds(std::min<uint64_t>(clock.to_ns(ticks), 1000000)));
}

void note_completion(Worker& w, int64_t now_ns) {
  const int64_t last = w.last_completion_ns->exchange(now_ns, std::memory_order_relaxed);
  if (last >= 0 && now_ns > last)
    w.longest_gap_ns->store(std::max<uint64_t>(w.longest_gap_ns->load(std::memory_order_relaxed),
                                               static_cast<uint64_t>(now_ns - last)),
                            std::memory_order_relaxed);
}

// The measured (or warm-up) loop of one client.
void client_loop(Worker& w, const WorkloadSpec& spec, const measure::Clock& clock,
                 const Timeline& tl, std::atomic<bool>& stop, bool record, uint64_t until) {
  const GroupSpec& g = *w.group;
  const uint64_t start = clock.from_ns(static_cast<uint64_t>(g.start_s * 1e9));
  const uint64_t stop_at = g.stop_s ? clock.from_ns(static_cast<uint64_t>(*g.stop_s * 1e9)) : 0;
  Pacer pacer(clock, g.arrival, spec.seed * 7919 + w.index);
  const uint32_t clients = g.clients;
  // Open loop: this client's share of the group's rate, staggered across the group's clients.
  auto rate_at = [&](size_t step) {
    const double rate = g.ramp.empty() ? g.rate_per_s : g.ramp[step];
    return rate / clients;
  };
  uint64_t next = tl.t0 + start;
  if (g.pacing == Pacing::kOpen)
    next += static_cast<uint64_t>(static_cast<double>(pacer.gap(rate_at(0))) * w.index / clients);
  uint64_t done = 0;
  for (;;) {
    if (stop.load(std::memory_order_relaxed)) break;
    if (record && spec.operations && done >= *spec.operations) break;
    uint64_t now = clock.now();
    if (until && now >= until) break;
    if (!record) {  // warm-up: closed loop, no pacing
      perform(w, w.client->pick(g.mix), 0, clock, tl, now, false);
      continue;
    }
    uint64_t rel = now - tl.t0;
    if (rel < start) {
      sleep_ticks(clock, start - rel);
      continue;
    }
    if (stop_at && rel >= stop_at) break;
    size_t step = ramp_step_at(g, clock, rel);
    uint64_t intended = now;
    if (g.pacing == Pacing::kClosed) {
      if (!g.ramp.empty() && w.index >= g.ramp[step]) {
        // Parked by the ramp: not active, so not starving either.
        w.last_completion_ns->store(-1, std::memory_order_relaxed);
        sleep_ticks(clock, clock.from_ns(1000000));
        continue;
      }
    } else {
      intended = next;
      if ((until && intended >= until) || (stop_at && intended - tl.t0 >= stop_at)) break;
      now = pacer.wait_until(intended);
      step = ramp_step_at(g, clock, intended - tl.t0);
      next = intended + pacer.gap(rate_at(step));
      w.lag->record(clock.to_ns(now - intended));
    }
    // Active from here: a gap is measured from the first moment the client could have called.
    if (w.last_completion_ns->load(std::memory_order_relaxed) < 0)
      w.last_completion_ns->store(static_cast<int64_t>(clock.to_ns(now - tl.t0)),
                                  std::memory_order_relaxed);
    perform(w, w.client->pick(g.mix), step, clock, tl, intended, true);
    done++;
    if (g.pacing == Pacing::kClosed && g.think_us > 0)
      pacer.wait_until(clock.now() + clock.from_ns(static_cast<uint64_t>(g.think_us * 1e3)));
  }
}

}  // namespace

size_t ramp_step_at(const GroupSpec& g, const measure::Clock& clock, uint64_t rel_ticks) {
  if (g.ramp.empty()) return 0;
  const double t = static_cast<double>(clock.to_ns(rel_ticks)) / 1e9;
  return std::min(g.ramp.size() - 1, static_cast<size_t>(t / g.ramp_step_s));
}

void perform(Worker& w, size_t op, size_t step, const measure::Clock& clock, const Timeline& tl,
             uint64_t intended, bool record) {
  if (record)
    w.issued[op].store(w.issued[op].load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  tl.in_flight.fetch_add(1, std::memory_order_relaxed);
  w.in_call->store(static_cast<int>(op), std::memory_order_relaxed);
  w.client->run(op, clock, intended, record, w.op_stats[step * w.group->mix.size() + op]);
  w.in_call->store(-1, std::memory_order_relaxed);
  tl.in_flight.fetch_sub(1, std::memory_order_relaxed);
  tl.returned.fetch_add(1, std::memory_order_relaxed);
  if (!record) return;
  // A script's setup is recorded even when it runs in the warm-up (it runs once); the timeline
  // starts at t0.
  const uint64_t now = clock.now();
  if (now < tl.t0 || intended < tl.t0) return;
  note_completion(w, static_cast<int64_t>(clock.to_ns(now - tl.t0)));
  if (w.group->record_samples && w.samples.size() < w.samples.capacity()) {
    const uint64_t end = clock.now();
    w.samples.emplace_back(clock.to_ns(intended - tl.t0), clock.to_ns(end - intended));
  }
}

uint64_t Worker::gap_as_of(int64_t now_ns, bool running) const {
  uint64_t gap = longest_gap_ns->load(std::memory_order_relaxed);
  const int64_t last = last_completion_ns->load(std::memory_order_relaxed);
  if (running && last >= 0 && now_ns > last)
    gap = std::max<uint64_t>(gap, static_cast<uint64_t>(now_ns - last));
  return gap;
}

void sleep_until(const measure::Clock& clock, uint64_t target, const std::atomic<bool>& stop) {
  // 1 ms slices: a stop is seen within a millisecond, and the wake-ups cost nothing measurable.
  for (uint64_t now = clock.now(); now < target && !stop.load(std::memory_order_relaxed);
       now = clock.now())
    std::this_thread::sleep_for(
        std::chrono::nanoseconds(std::min<uint64_t>(clock.to_ns(target - now), 1000000)));
}

Worker make_worker(targets::Target& stack, const GroupSpec& g, uint32_t index, uint64_t seed,
                   std::shared_ptr<ClientProcess> process) {
  Worker w;
  w.group = &g;
  w.index = index;
  w.client = std::make_unique<Client>(stack, g, std::move(process), seed);
  const size_t steps = std::max<size_t>(1, g.ramp.size());
  for (size_t st = 0; st < steps; ++st) {
    std::vector<std::unique_ptr<OpStats>> per;
    for (const auto& op : g.mix)
      for (size_t k = 0; k < stat_names(op).size(); ++k) per.push_back(std::make_unique<OpStats>());
    w.stats.push_back(std::move(per));
  }
  // Map (step, op) to the statistics that op records into.
  for (size_t st = 0; st < steps; ++st) {
    size_t base = 0;
    for (const auto& op : g.mix) {
      std::vector<OpStats*> v;
      for (size_t k = 0; k < stat_names(op).size(); ++k) v.push_back(w.stats[st][base + k].get());
      base += stat_names(op).size();
      w.op_stats.push_back(std::move(v));
    }
  }
  w.issued = std::make_unique<std::atomic<uint64_t>[]>(g.mix.size());
  if (g.pacing == Pacing::kOpen) w.lag = std::make_unique<measure::Recorder>();
  if (g.record_samples) w.samples.reserve(1 << 20);
  return w;
}

void run_worker(Worker& w, const WorkloadSpec& spec, const measure::Clock& clock,
                const Timeline& tl, std::atomic<bool>& stop) {
  const uint64_t warm_end = tl.t0;
  const uint64_t warm_start = warm_end - clock.from_ns(static_cast<uint64_t>(spec.warmup_s * 1e9));
  try {
    if (w.group->script) {
      run_script(w, spec, clock, tl, stop);
    } else {
      // Groups that start later (the load in a starvation or recovery test) do not warm up:
      // their warm-up calls would still be queued when the baseline is measured.
      if (spec.warmup_s > 0 && w.group->start_s == 0) {
        sleep_until(clock, warm_start, stop);
        client_loop(w, spec, clock, tl, stop, false, warm_end);
      }
      sleep_until(clock, tl.t0, stop);
      client_loop(w, spec, clock, tl, stop, true, tl.end);
    }
  } catch (const std::exception& e) {
    w.failure = e.what();
  }
  const uint64_t finished_ns = clock.to_ns(clock.now() - tl.t0);
  // The gap still open when it stops counts too: a client that never completed a call starved
  // for its whole active window.
  w.longest_gap_ns->store(w.gap_as_of(static_cast<int64_t>(finished_ns), true),
                          std::memory_order_relaxed);
  *w.finished_s = static_cast<double>(finished_ns) / 1e9;
}

}  // namespace workloads
