// Destroys a group's guest at its destroy_guest_s (Xen only): the mediator must fail the guest's
// calls in flight and release every call, buffer and pin it kept, and OP-TEE the guest's
// partition. The multiguest scenario judges that from what this records.
#include <fmt/core.h>

#include <algorithm>

#include "workloads/faults/fault.h"

namespace workloads {
namespace {

class GuestDestroyer final : public FaultInjector {
 public:
  explicit GuestDestroyer(std::vector<const GroupSpec*> due) : due_(std::move(due)) {
    std::sort(due_.begin(), due_.end(), [](const auto* a, const auto* b) {
      return *a->destroy_guest_s < *b->destroy_guest_s;
    });
  }

  void run(const FaultContext& ctx) override {
    const measure::Clock& clock = ctx.clock;
    for (const GroupSpec* g : due_) {
      sleep_until(clock,
                  ctx.timeline.t0 + clock.from_ns(static_cast<uint64_t>(*g->destroy_guest_s * 1e9)),
                  ctx.stop);
      if (ctx.stop.load()) return;
      nlohmann::json ev = {
          {"guest", g->guest},
          {"group", g->name},
          {"at_s", static_cast<double>(clock.to_ns(clock.now() - ctx.timeline.t0)) / 1e9}};
      try {
        for (const auto& [k, v] : ctx.stack.destroy_guest(g->guest).to_map()) ev[k] = v;
      } catch (const std::exception& e) {
        ev["error"] = e.what();
      }
      destroyed_.push_back(ev);
    }
  }

  // Records each destruction and judges it: everything the dead guest held is gone — its OP-TEE
  // partition (threads, sessions, registered shm) and every call, buffer and pin the mediator
  // kept for it. An invariant: it holds on any host.
  void report(reports::CaseResult& result) const override {
    if (destroyed_.empty()) return;
    result.counters["guests_destroyed"] = destroyed_;
    for (const auto& ev : destroyed_) {
      if (ev.contains("error")) {
        result.verdicts.push_back(
            {"destroyed_guest_released", reports::Outcome::kFail,
             "cannot destroy guest " + ev["guest"].dump() + ": " + ev["error"].get<std::string>(),
             ev});
        continue;
      }
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
  }

 private:
  std::vector<const GroupSpec*> due_;
  nlohmann::json destroyed_ = nlohmann::json::array();
};

}  // namespace

std::unique_ptr<FaultInjector> make_guest_destroyer(std::vector<const GroupSpec*> due) {
  return std::make_unique<GuestDestroyer>(std::move(due));
}

}  // namespace workloads
