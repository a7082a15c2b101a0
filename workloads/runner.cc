#include "workloads/runner.h"

#include <fmt/core.h>

#include <algorithm>
#include <barrier>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "measure/perf_counters.h"
#include "workloads/client.h"
#include "workloads/pacer.h"

namespace workloads {
namespace {

using reports::OpResult;

// One client's thread state: its statistics per (ramp step, op stat).
struct Worker {
  const GroupSpec* group = nullptr;
  uint32_t index = 0;  // within its group
  std::unique_ptr<Client> client;
  std::vector<std::vector<std::unique_ptr<OpStats>>> stats;  // [step][stat]
  // Calls issued per op of the mix: written by the client, read by the coordinator.
  std::unique_ptr<std::atomic<uint64_t>[]> issued;
  std::unique_ptr<measure::Recorder> lag;              // open loop
  std::vector<std::pair<uint64_t, uint64_t>> samples;  // (t_ns, latency_ns)
  std::vector<std::vector<OpStats*>> op_stats;         // [step * mix + op] -> its stats
  std::string failure;
  // When its last call returned (seconds since t0; -1 while running). Read by the coordinator.
  std::unique_ptr<std::atomic<double>> finished_s = std::make_unique<std::atomic<double>>(-1);
  // The op of the mix it is inside the stack with, -1 between calls: the watchdog's evidence
  // names what the calls still in flight were (warm-up calls included, which `issued` omits).
  std::unique_ptr<std::atomic<int>> in_call = std::make_unique<std::atomic<int>>(-1);
};

struct Timeline {
  uint64_t t0 = 0;   // start of the measured phase (ticks)
  uint64_t end = 0;  // end of the measured phase, 0 for operation-count runs
  // For the watchdog: calls inside the stack right now, and calls that have come back.
  mutable std::atomic<int64_t> in_flight{0};
  mutable std::atomic<uint64_t> returned{0};
};

size_t step_at(const GroupSpec& g, const measure::Clock& clock, uint64_t rel_ticks) {
  if (g.ramp.empty()) return 0;
  const double t = static_cast<double>(clock.to_ns(rel_ticks)) / 1e9;
  return std::min(g.ramp.size() - 1, static_cast<size_t>(t / g.ramp_step_s));
}

void pacer_sleep_until(const measure::Clock& clock, uint64_t target) {
  for (uint64_t now = clock.now(); now < target; now = clock.now())
    std::this_thread::sleep_for(
        std::chrono::nanoseconds(std::min<uint64_t>(clock.to_ns(target - now), 1000000)));
}

void sleep_ticks(const measure::Clock& clock, uint64_t ticks) {
  std::this_thread::sleep_for(
      std::chrono::nanoseconds(std::min<uint64_t>(clock.to_ns(ticks), 1000000)));
}

// The measured (or warm-up) loop of one client.
void client_loop(Worker& w, const WorkloadSpec& spec, const measure::Clock& clock,
                 const Timeline& tl, std::atomic<bool>& stop, bool record, uint64_t until) {
  const GroupSpec& g = *w.group;
  const size_t mix = g.mix.size();
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
      tl.in_flight.fetch_add(1, std::memory_order_relaxed);
      const size_t op = w.client->pick(g.mix);
      w.in_call->store(static_cast<int>(op), std::memory_order_relaxed);
      w.client->run(op, clock, now, false, w.op_stats[0]);
      w.in_call->store(-1, std::memory_order_relaxed);
      tl.in_flight.fetch_sub(1, std::memory_order_relaxed);
      tl.returned.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    uint64_t rel = now - tl.t0;
    if (rel < start) {
      sleep_ticks(clock, start - rel);
      continue;
    }
    if (stop_at && rel >= stop_at) break;
    size_t step = step_at(g, clock, rel);
    uint64_t intended = now;
    if (g.pacing == Pacing::kClosed) {
      if (!g.ramp.empty() && w.index >= g.ramp[step]) {
        sleep_ticks(clock, clock.from_ns(1000000));
        continue;
      }
    } else {
      intended = next;
      if ((until && intended >= until) || (stop_at && intended - tl.t0 >= stop_at)) break;
      now = pacer.wait_until(intended);
      step = step_at(g, clock, intended - tl.t0);
      next = intended + pacer.gap(rate_at(step));
      w.lag->record(clock.to_ns(now - intended));
    }
    const size_t i = w.client->pick(g.mix);
    w.issued[i].store(w.issued[i].load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    tl.in_flight.fetch_add(1, std::memory_order_relaxed);
    w.in_call->store(static_cast<int>(i), std::memory_order_relaxed);
    w.client->run(i, clock, intended, true, w.op_stats[step * mix + i]);
    w.in_call->store(-1, std::memory_order_relaxed);
    tl.in_flight.fetch_sub(1, std::memory_order_relaxed);
    tl.returned.fetch_add(1, std::memory_order_relaxed);
    done++;
    if (g.record_samples && w.samples.size() < w.samples.capacity()) {
      const uint64_t end = clock.now();
      w.samples.emplace_back(clock.to_ns(intended - tl.t0), clock.to_ns(end - intended));
    }
    if (g.pacing == Pacing::kClosed && g.think_us > 0)
      pacer.wait_until(clock.now() + clock.from_ns(static_cast<uint64_t>(g.think_us * 1e3)));
  }
}

// Merges the workers' statistics into per-(group, op) results, keeping the interval series.
class Collector {
 public:
  Collector(std::vector<Worker>& workers, const WorkloadSpec& spec) : workers_(workers) {
    for (const auto& g : spec.groups)
      for (size_t i = 0; i < g.mix.size(); ++i) {
        const auto names = stat_names(g.mix[i]);
        for (size_t k = 0; k < names.size(); ++k)
          slots_.push_back(Slot{&g, i, k, names[k], {}, 0, {}});
      }
  }

  // Everything measured so far; adds an interval point ending at `elapsed_s`.
  std::vector<OpResult> collect(double elapsed_s) {
    std::vector<OpResult> out;
    size_t stat_base = 0;
    const GroupSpec* group = nullptr;
    for (auto& slot : slots_) {
      if (slot.group != group) {
        group = slot.group;
        stat_base = 0;
      }
      const size_t s = stat_base++;
      out.push_back(collect_slot(slot, s, elapsed_s));
    }
    return out;
  }

 private:
  struct Slot {
    const GroupSpec* group;
    size_t op;   // index in the mix
    size_t sub;  // which of the op's statistics
    std::string name;
    measure::Histogram last;
    uint64_t last_errors;
    std::vector<reports::IntervalPoint> intervals;
  };

  OpResult collect_slot(Slot& slot, size_t s, double elapsed_s) {
    const GroupSpec& g = *slot.group;
    const size_t steps = std::max<size_t>(1, g.ramp.size());
    OpResult r;
    r.group = g.name;
    r.guest = g.guest;
    r.op = slot.name;
    // Rates are over the group's own active window: from its start until its clients' last calls
    // returned (calls issued before stop_s still drain after it), or until now while it runs.
    double end_s = 0;
    bool all_done = true;
    for (const auto& w : workers_) {
      if (w.group != &g) continue;
      const double f = w.finished_s->load();
      all_done = all_done && f >= 0;
      end_s = std::max(end_s, f);
    }
    if (!all_done) end_s = std::min(g.stop_s.value_or(elapsed_s), elapsed_s);
    const double active = std::max(0.0, std::min(end_s, elapsed_s) - g.start_s);
    if (!g.ramp.empty()) r.steps.resize(steps);
    measure::Histogram lag;
    bool has_lag = false;
    for (auto& w : workers_) {
      if (w.group != &g) continue;
      measure::Histogram& client_hist = scratch_;  // reused: 220 KiB per histogram
      client_hist.reset();
      uint64_t client_errors = 0;
      for (size_t st = 0; st < steps; ++st) {
        const OpStats& os = *w.stats[st][s];
        const uint64_t before = client_hist.total();
        os.latency.add_to(client_hist);
        if (!g.ramp.empty()) {
          r.steps[st].step = g.ramp[st];
          r.steps[st].count += client_hist.total() - before;
        }
        os.for_each_error([&](const char* k, uint64_t c) {
          r.errors[k] += c;
          client_errors += c;
        });
      }
      r.latency.merge(client_hist);
      if (slot.sub == 0) r.issued += w.issued[slot.op].load(std::memory_order_relaxed);
      r.clients.push_back({w.index, client_hist.total(), client_errors, client_hist.percentile(99),
                           client_hist.max(), active > 0 ? client_hist.total() / active : 0});
      if (w.lag && slot.sub == 0) {
        w.lag->add_to(lag);
        has_lag = true;
      }
      // Samples are read once their client has finished (the vector grows while it runs).
      if (slot.sub == 0 && w.finished_s->load() >= 0)
        for (const auto& [t, l] : w.samples) r.samples.emplace_back(t / 1e9, l);
    }
    std::sort(r.samples.begin(), r.samples.end());
    if (has_lag) r.schedule_lag = lag;
    r.count = r.latency.total();
    r.duration_s = active;
    r.throughput_per_s = active > 0 ? r.count / active : 0;
    for (auto& st : r.steps) st.throughput_per_s = st.count / g.ramp_step_s;
    const measure::Histogram d = measure::Histogram::delta(r.latency, slot.last);
    const uint64_t errors = r.error_total();
    slot.intervals.push_back({elapsed_s, d.total(), errors - std::min(errors, slot.last_errors),
                              d.percentile(50), d.percentile(99), d.max()});
    slot.last = r.latency;
    slot.last_errors = errors;
    r.intervals = slot.intervals;
    return r;
  }

  std::vector<Worker>& workers_;
  std::vector<Slot> slots_;
  measure::Histogram scratch_;
};

// Which operations the calls still in flight belong to, and how many of each.
nlohmann::json in_flight_ops(const std::vector<Worker>& workers) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& w : workers)
    if (const int op = w.in_call->load(std::memory_order_relaxed); op >= 0) {
      const std::string key = w.group->name + "/" + w.group->mix[static_cast<size_t>(op)].name;
      out[key] = out.value(key, 0) + 1;
    }
  return out;
}

}  // namespace

void set_aside_expectations(std::vector<reports::Verdict>& verdicts, const std::string& caveat) {
  if (caveat.empty()) return;
  for (auto& v : verdicts)
    if (reports::is_expectation(v.name) && v.outcome != reports::Outcome::kSkipped) {
      v.detail = "not judged: " + caveat + " (measured: " + v.detail + ")";
      v.outcome = reports::Outcome::kSkipped;
    }
}

std::string resolve_target(const WorkloadSpec& spec, const targets::TargetSpec& base,
                           targets::TargetSpec* out) {
  *out = base;
  if (spec.stack.empty()) return {};
  // On a real stack the knobs are recorded (run_case says they were not applied).
  // The workload's knobs go first so that --set, already in `base`, wins over the file.
  std::vector<std::pair<std::string, std::string>> from_file;
  for (const auto& [k, v] : spec.stack.items()) {
    const std::string value = v.is_string()    ? v.get<std::string>()
                              : v.is_boolean() ? (v.get<bool>() ? "y" : "n")
                                               : v.dump();
    targets::TargetSpec scratch;
    if (auto e = scratch.set(k, value); !e.empty()) return "$.stack." + e;
    from_file.emplace_back(k, value);
  }
  out->knobs.insert(out->knobs.begin(), from_file.begin(), from_file.end());
  return {};
}

// Why `g` cannot run on a target with `caps` ("" if it can): the parts that exist only in the
// emulator (docs/targets.md) are skipped with this reason, never failed or silently dropped.
std::string unsupported_by(const GroupSpec& g, const targets::Capabilities& caps) {
  for (const auto& op : g.mix) {
    if ((op.kind == OpKind::kOcall || op.kind == OpKind::kOcallCrash) && !caps.ocall_protocol)
      return "op " + op.name +
             " needs the in-thread OCALL protocol, which is not upstream (only the emulator has "
             "it)";
    if (op.kind == OpKind::kOcallCrash && !caps.kill_client)
      return "op " + op.name + " kills a client process, which this target cannot do";
  }
  if (g.guest > 1 && !caps.guests)
    return "guest " + std::to_string(g.guest) + " needs a hypervisor with guests on this target";
  if (g.destroy_guest_s && !caps.destroy_guest)
    return "destroying a guest mid-run needs a target that can (the emulator with Xen)";
  return {};
}

reports::CaseResult run_case(const Case& c, uint32_t repetition, const RunContext& ctx) {
  const WorkloadSpec& spec = c.spec;
  const measure::Clock& clock = *ctx.clock;
  targets::TargetSpec target;
  if (auto e = resolve_target(spec, ctx.target, &target); !e.empty()) throw std::runtime_error(e);
  auto stack = targets::open(target);
  const targets::Capabilities caps = stack->capabilities();
  std::vector<reports::Verdict> skipped;
  for (const auto& g : spec.groups)
    if (auto why = unsupported_by(g, caps); !why.empty() && g.clients)
      skipped.push_back({"skipped/" + g.name, reports::Outcome::kSkipped, why, {}});
  if (!target.is_emu() && !target.knobs.empty()) {
    nlohmann::json knobs = nlohmann::json::object();
    for (const auto& [k, v] : target.knobs) knobs[k] = v;
    skipped.push_back({"stack_knobs_not_applied", reports::Outcome::kSkipped,
                       "a real stack is what it is: the workload's stack knobs are recorded, "
                       "not applied",
                       knobs});
  }

  // Clients, each its own process with a session, before any timing starts.
  std::vector<Worker> workers;
  size_t total = 0;
  for (const auto& g : spec.groups) total += g.clients;
  workers.reserve(total);
  uint64_t seed = spec.seed * 1000003 + repetition;
  for (const auto& g : spec.groups) {
    if (!unsupported_by(g, caps).empty()) continue;
    for (uint32_t i = 0; i < g.clients; ++i) {
      Worker w;
      w.group = &g;
      w.index = i;
      w.client = std::make_unique<Client>(*stack, g.guest, g.mix, ++seed);
      const size_t steps = std::max<size_t>(1, g.ramp.size());
      for (size_t st = 0; st < steps; ++st) {
        std::vector<std::unique_ptr<OpStats>> per;
        for (const auto& op : g.mix)
          for (size_t k = 0; k < stat_names(op).size(); ++k)
            per.push_back(std::make_unique<OpStats>());
        w.stats.push_back(std::move(per));
      }
      // Map (step, op) to the statistics that op records into.
      for (size_t st = 0; st < steps; ++st) {
        size_t base = 0;
        for (const auto& op : g.mix) {
          std::vector<OpStats*> v;
          for (size_t k = 0; k < stat_names(op).size(); ++k)
            v.push_back(w.stats[st][base + k].get());
          base += stat_names(op).size();
          w.op_stats.push_back(std::move(v));
        }
      }
      w.issued = std::make_unique<std::atomic<uint64_t>[]>(g.mix.size());
      if (g.pacing == Pacing::kOpen) w.lag = std::make_unique<measure::Recorder>();
      if (g.record_samples) w.samples.reserve(1 << 20);
      workers.push_back(std::move(w));
    }
  }

  measure::PerfCounters perf;
  std::atomic<bool> case_stop{false};
  std::atomic<bool>& stop = ctx.stop ? *ctx.stop : case_stop;
  Timeline tl;
  std::barrier sync(static_cast<std::ptrdiff_t>(workers.size() + 1));
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&w, &spec, &clock, &tl, &stop, &sync] {
      sync.arrive_and_wait();  // t0 is set
      const uint64_t warm_end = tl.t0;
      const uint64_t warm_start =
          warm_end - clock.from_ns(static_cast<uint64_t>(spec.warmup_s * 1e9));
      // Groups that start later (the load in a starvation or recovery test) do not warm up:
      // their warm-up calls would still be queued when the baseline is measured.
      if (spec.warmup_s > 0 && w.group->start_s == 0) {
        pacer_sleep_until(clock, warm_start);
        client_loop(w, spec, clock, tl, stop, false, warm_end);
      }
      pacer_sleep_until(clock, tl.t0);
      try {
        client_loop(w, spec, clock, tl, stop, true, tl.end);
      } catch (const std::exception& e) {
        w.failure = e.what();
      }
      *w.finished_s = clock.to_ns(clock.now() - tl.t0) / 1e9;
    });
  }
  const uint64_t now = clock.now();
  tl.t0 = now + clock.from_ns(static_cast<uint64_t>(spec.warmup_s * 1e9)) + clock.from_ns(1000000);
  tl.end =
      spec.duration_s ? tl.t0 + clock.from_ns(static_cast<uint64_t>(*spec.duration_s * 1e9)) : 0;
  perf.start();
  sync.arrive_and_wait();

  // Coordinator: an interval point (and a checkpoint) every interval_s until the clients finish.
  Collector collector(workers, spec);
  reports::CaseResult result;
  result.label = c.label;
  result.params = c.params;
  result.repetition = repetition;
  const uint64_t interval = clock.from_ns(static_cast<uint64_t>(spec.interval_s * 1e9));
  uint64_t next = tl.t0 + interval;
  std::atomic<size_t> finished{0};
  std::thread joiner([&] {
    for (auto& t : threads) t.join();
    finished = threads.size();
  });
  // Guests destroyed mid-run, on their own thread so a slow checkpoint cannot delay them.
  nlohmann::json destroyed = nlohmann::json::array();
  std::thread destroyer([&] {
    std::vector<const GroupSpec*> due;
    for (const auto& g : spec.groups)
      if (g.destroy_guest_s && g.clients && unsupported_by(g, caps).empty()) due.push_back(&g);
    std::sort(due.begin(), due.end(), [](const auto* a, const auto* b) {
      return *a->destroy_guest_s < *b->destroy_guest_s;
    });
    for (const GroupSpec* g : due) {
      pacer_sleep_until(clock,
                        tl.t0 + clock.from_ns(static_cast<uint64_t>(*g->destroy_guest_s * 1e9)));
      nlohmann::json ev = {{"guest", g->guest},
                           {"group", g->name},
                           {"at_s", clock.to_ns(clock.now() - tl.t0) / 1e9}};
      try {
        for (const auto& [k, v] : stack->destroy_guest(g->guest).to_map()) ev[k] = v;
      } catch (const std::exception& e) {
        ev["error"] = e.what();
      }
      destroyed.push_back(ev);
    }
  });
  uint64_t last_returned = 0;
  uint64_t last_progress = clock.now();
  while (finished.load() < threads.size()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const uint64_t t = clock.now();
    // Watchdog: calls in flight and none coming back for watchdog_s means the stack is hung.
    if (const uint64_t r = tl.returned.load(); r != last_returned || tl.in_flight.load() == 0) {
      last_returned = r;
      last_progress = t;
    } else if (spec.watchdog_s > 0 && clock.to_ns(t - last_progress) / 1e9 >= spec.watchdog_s) {
      stop = true;
      const double elapsed = clock.to_ns(t - tl.t0) / 1e9;
      reports::CaseResult hung;
      hung.label = c.label;
      hung.params = c.params;
      hung.repetition = repetition;
      hung.ops = collector.collect(elapsed);
      hung.duration_s = elapsed;
      for (const auto& [k, v] : stack->counters().available()) hung.counters[k] = v;
      hung.counters["thread_states"] = stack->thread_states();
      hung.verdicts.push_back(
          {"no_deadlock",
           reports::Outcome::kFail,
           fmt::format("no call completed for {:g} s with {} in flight: the stack is hung",
                       spec.watchdog_s, tl.in_flight.load()),
           {{"thread_states", hung.counters["thread_states"]},
            {"in_flight", tl.in_flight.load()},
            {"in_flight_ops", in_flight_ops(workers)},
            {"supplicant_requests_pending",
             hung.counters.value("supplicant_requests_pending", -1.0)},
            {"secure_threads_free", hung.counters.value("secure_threads_free", 0.0)}}});
      if (ctx.on_hang) ctx.on_hang(hung);
      std::_Exit(1);  // no hook: still never unwind into the hung threads
    }
    if (t < next || t < tl.t0) continue;
    next += interval;
    const double elapsed = clock.to_ns(t - tl.t0) / 1e9;
    result.ops = collector.collect(elapsed);
    result.duration_s = elapsed;
    // What the stack shows now (busy threads, queue depth...), for live metrics (--serve).
    for (const auto& [k, v] : stack->counters().available()) result.counters[k] = v;
    if (ctx.on_interval) ctx.on_interval(result, elapsed);
  }
  joiner.join();
  destroyer.join();
  perf.stop();
  const uint64_t t_end = clock.now();
  const double elapsed = t_end > tl.t0 ? clock.to_ns(t_end - tl.t0) / 1e9 : 0;
  const double measured = spec.duration_s ? std::min(elapsed, *spec.duration_s) : elapsed;
  result.ops = collector.collect(measured);
  result.duration_s = measured;
  result.perf = perf.to_json();
  const auto counters = stack->counters();
  for (const auto& [k, v] : counters.available()) result.counters[k] = v;
  if (const auto na = counters.unavailable(); !na.empty()) result.counters["unavailable"] = na;
  result.counters["thread_states"] = stack->thread_states();
  if (!destroyed.empty()) result.counters["guests_destroyed"] = destroyed;
  result.complete = !stop.load();

  for (auto& v : skipped) result.verdicts.push_back(std::move(v));
  result.timing_caveat = caps.timing_caveat;

  // Invariants every run checks: no call lost, no client failed, secure threads all FREE.
  reports::Verdict lost{"no_lost_calls",
                        reports::Outcome::kPass,
                        "every call issued completed or failed with a counted error",
                        {}};
  for (const auto& o : result.ops) {
    if (o.op.find('.') != std::string::npos && o.op.rfind(".alloc") == std::string::npos &&
        o.op.rfind(".register") == std::string::npos)
      continue;  // later phases of shm_churn are not issued separately
    if (o.issued != o.count + o.error_total()) {
      lost.outcome = reports::Outcome::kFail;
      lost.detail = o.group + "/" + o.op + ": issued " + std::to_string(o.issued) + ", completed " +
                    std::to_string(o.count) + ", failed " + std::to_string(o.error_total());
    }
  }
  result.verdicts.push_back(lost);
  for (const auto& w : workers)
    if (!w.failure.empty())
      result.verdicts.push_back({"client_failure", reports::Outcome::kFail, w.failure, {}});
  for (const auto& ev : destroyed) {
    if (ev.contains("error")) {
      result.verdicts.push_back(
          {"destroyed_guest_released", reports::Outcome::kFail,
           "cannot destroy guest " + ev["guest"].dump() + ": " + ev["error"].get<std::string>(),
           ev});
      continue;
    }
    // Everything the dead guest held is gone: its OP-TEE partition (threads, sessions, registered
    // shm) and every call, buffer and pin the mediator kept for it.
    const bool released = ev["optee_partition_left"] == 0 && ev["xen_calls"] == 0 &&
                          ev["xen_shm_buffers"] == 0 && ev["xen_rpc_buffers"] == 0 &&
                          ev["xen_pinned_pages"] == 0 &&
                          ev["optee_partitions_in_memory"] == ev["live_guests"];
    result.verdicts.push_back({"destroyed_guest_released",
                               released ? reports::Outcome::kPass : reports::Outcome::kFail,
                               "guest " + ev["guest"].dump() +
                                   (released ? ": partition, calls, buffers and pins released"
                                             : ": resources left behind"),
                               ev});
  }
  if (result.counters.contains("secure_threads_free")) {
    const bool all_free =
        result.counters["secure_threads_free"] == result.counters["secure_threads"];
    result.verdicts.push_back(
        {"secure_threads_free_at_end",
         all_free ? reports::Outcome::kPass : reports::Outcome::kFail,
         all_free ? "every secure thread is FREE" : "secure threads still in use",
         {{"thread_states", result.counters["thread_states"]}}});
  }
  return result;
}

}  // namespace workloads
