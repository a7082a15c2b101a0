// Kills a group's client processes at its kill_s, as SIGKILL would, with their threads' calls in
// flight: the kernel must fail those calls, close the processes' sessions and contexts and free
// their shared memory, and OP-TEE must get every secure thread back. The generic invariants judge
// that (no_lost_calls, no_leaks, secure_threads_free_at_end, no_deadlock); this records what was
// killed and how many calls were inside the stack at that moment, so a pass is known to have
// exercised death mid-call.
#include <algorithm>
#include <set>

#include "workloads/faults/fault.h"

namespace workloads {
namespace {

class ProcessKiller final : public FaultInjector {
 public:
  explicit ProcessKiller(std::vector<const GroupSpec*> due) : due_(std::move(due)) {
    std::sort(due_.begin(), due_.end(),
              [](const auto* a, const auto* b) { return *a->kill_s < *b->kill_s; });
  }

  void run(const FaultContext& ctx) override {
    const measure::Clock& clock = ctx.clock;
    for (const GroupSpec* g : due_) {
      sleep_until(clock, ctx.timeline.t0 + clock.from_ns(static_cast<uint64_t>(*g->kill_s * 1e9)),
                  ctx.stop);
      if (ctx.stop.load()) return;
      // Each process once, whatever its number of threads; and what its threads were inside.
      std::set<ClientProcess*> processes;
      std::vector<std::shared_ptr<ClientProcess>> order;
      int in_call = 0, in_ocall = 0;
      for (auto& w : ctx.workers) {
        if (w.group != g || !w.client) continue;
        if (w.in_call->load(std::memory_order_relaxed) >= 0) ++in_call;
        if (processes.insert(w.client->process().get()).second)
          order.push_back(w.client->process());
      }
      for (const auto& p : order) in_ocall += p->ocall_handlers().load(std::memory_order_relaxed);
      nlohmann::json ev = {
          {"group", g->name},
          {"processes", order.size()},
          {"threads_in_a_call", in_call},
          {"threads_in_an_ocall_handler", in_ocall},
          {"at_s", static_cast<double>(clock.to_ns(clock.now() - ctx.timeline.t0)) / 1e9}};
      try {
        for (const auto& p : order) {
          p->mark_killed();
          ctx.stack.kill_client(p->device());
        }
      } catch (const std::exception& e) {
        ev["error"] = e.what();
      }
      killed_.push_back(ev);
    }
  }

  void report(reports::CaseResult& result) const override {
    if (killed_.empty()) return;
    result.counters["processes_killed"] = killed_;
    for (const auto& ev : killed_)
      if (ev.contains("error"))
        result.verdicts.push_back({"processes_killed", reports::Outcome::kFail,
                                   "cannot kill group " + ev["group"].get<std::string>() +
                                       "'s processes: " + ev["error"].get<std::string>(),
                                   ev});
  }

 private:
  std::vector<const GroupSpec*> due_;
  nlohmann::json killed_ = nlohmann::json::array();
};

}  // namespace

std::unique_ptr<FaultInjector> make_process_killer(std::vector<const GroupSpec*> due) {
  return std::make_unique<ProcessKiller>(std::move(due));
}

}  // namespace workloads
