#include "workloads/collector.h"

#include <algorithm>

namespace workloads {
namespace {

reports::CompletionSummary completion_of(const std::vector<reports::ClientSummary>& clients) {
  std::vector<double> t;
  for (const auto& c : clients) t.push_back(c.finished_s);
  std::sort(t.begin(), t.end());
  // Nearest rank: with a handful of clients every figure is one client's own time.
  auto at = [&](double q) {
    return t[std::min(t.size() - 1, static_cast<size_t>(q * static_cast<double>(t.size())))];
  };
  return {static_cast<uint32_t>(t.size()), t.front(), at(0.5), at(0.9), t.back()};
}

}  // namespace

std::vector<reports::OpResult> Collector::collect(double elapsed_s, bool add_point) {
  std::vector<reports::OpResult> out;
  size_t stat_base = 0;
  const GroupSpec* group = nullptr;
  for (auto& slot : slots_) {
    if (slot.group != group) {
      group = slot.group;
      stat_base = 0;
    }
    const size_t s = stat_base++;
    out.push_back(collect_slot(slot, s, elapsed_s, add_point));
  }
  return out;
}

reports::OpResult Collector::collect_slot(Slot& slot, size_t s, double elapsed_s, bool add_point) {
  const GroupSpec& g = *slot.group;
  const size_t steps = std::max<size_t>(1, g.ramp.size());
  reports::OpResult r;
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
    const double finished = w.finished_s->load();
    const bool running = finished < 0;
    r.clients.push_back({w.index, client_hist.total(), client_errors, client_hist.percentile(99),
                         client_hist.max(), active > 0 ? client_hist.total() / active : 0,
                         w.gap_as_of(static_cast<int64_t>(elapsed_s * 1e9), running), finished});
    if (w.lag && slot.sub == 0) {
      w.lag->add_to(lag);
      has_lag = true;
    }
    // Samples are read once their client has finished (the vector grows while it runs).
    if (slot.sub == 0 && w.finished_s->load() >= 0)
      for (const auto& [t, l] : w.samples) r.samples.emplace_back(t / 1e9, l);
  }
  std::sort(r.samples.begin(), r.samples.end());
  if (operation_count_ && all_done && !r.clients.empty()) r.completion = completion_of(r.clients);
  if (has_lag) r.schedule_lag = lag;
  r.count = r.latency.total();
  r.duration_s = active;
  r.throughput_per_s = active > 0 ? r.count / active : 0;
  for (auto& st : r.steps) st.throughput_per_s = st.count / g.ramp_step_s;
  if (add_point) {
    const measure::Histogram d = measure::Histogram::delta(r.latency, slot.last);
    const uint64_t errors = r.error_total();
    slot.intervals.push_back({elapsed_s, d.total(), errors - std::min(errors, slot.last_errors),
                              d.percentile(50), d.percentile(99), d.max()});
    slot.last = r.latency;
    slot.last_errors = errors;
  }
  r.intervals = slot.intervals;
  return r;
}

}  // namespace workloads
