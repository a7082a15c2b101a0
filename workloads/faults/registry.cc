// Which fault injectors a case gets: one per kind of fault its groups ask for, where the target
// can inject it (elsewhere the group is skipped with the reason: runner.cc unsupported_by).
#include "workloads/faults/fault.h"

namespace workloads {

std::vector<std::unique_ptr<FaultInjector>> faults_for(const WorkloadSpec& spec,
                                                       const targets::Capabilities& caps) {
  std::vector<std::unique_ptr<FaultInjector>> out;
  std::vector<const GroupSpec*> destroy, kill;
  for (const auto& g : spec.groups) {
    if (g.destroy_guest_s && g.clients && caps.destroy_guest) destroy.push_back(&g);
    if (g.kill_s && g.clients && caps.kill_client) kill.push_back(&g);
  }
  if (!destroy.empty()) out.push_back(make_guest_destroyer(std::move(destroy)));
  if (!kill.empty()) out.push_back(make_process_killer(std::move(kill)));
  return out;
}

}  // namespace workloads
