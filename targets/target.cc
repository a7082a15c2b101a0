#include "targets/target.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "targets/device/device_target.h"
#if defined(TEEBENCH_HAVE_EMULATOR)
#include "targets/emu/emu_target.h"
#endif

namespace targets {

std::map<std::string, double> StackCounters::available() const {
  std::map<std::string, double> out;
  auto put = [&](const char* name, const std::optional<double>& v) {
    if (v) out[name] = *v;
  };
  put("secure_threads", secure_threads);
  put("secure_threads_free", secure_threads_free);
  put("secure_threads_suspended", secure_threads_suspended);
  put("ethread_limit_returns", ethread_limit_returns);
  put("call_queue_waits", call_queue_waits);
  put("call_queue_waiting", call_queue_waiting);
  put("call_queue_sleeping", call_queue_sleeping);
  put("call_queue_sleeping_peak", call_queue_sleeping_peak);
  put("sessions_open", sessions_open);
  put("ta_instances", ta_instances);
  put("ta_instances_created", ta_instances_created);
  put("registered_shm_objects", registered_shm_objects);
  put("driver_arg_pages", driver_arg_pages);
  put("user_shm_objects", user_shm_objects);
  put("contexts_open", contexts_open);
  put("shm_va_pages_mapped", shm_va_pages_mapped);
  put("supplicant_requests_pending", supplicant_requests_pending);
  put("xen_thread_limit_refusals", xen_thread_limit_refusals);
  put("xen_buffer_too_big", xen_buffer_too_big);
  put("xen_buffer_count_refusals", xen_buffer_count_refusals);
  put("xen_total_pages_refusals", xen_total_pages_refusals);
  put("xen_pages_translated", xen_pages_translated);
  put("xen_rejected", xen_rejected);
  put("xen_pages_held", xen_pages_held);
  for (const auto& g : guests) {
    const std::string pre = "guest" + std::to_string(g.guest) + ".";
    if (g.xen_pinned_pages) out[pre + "xen_pinned_pages"] = *g.xen_pinned_pages;
    if (g.xen_shm_buffers) out[pre + "xen_shm_buffers"] = *g.xen_shm_buffers;
  }
  return out;
}

std::vector<std::string> StackCounters::unavailable() const {
  std::vector<std::string> out;
  const std::pair<const char*, const std::optional<double>*> all[] = {
      {"secure_threads", &secure_threads},
      {"secure_threads_free", &secure_threads_free},
      {"secure_threads_suspended", &secure_threads_suspended},
      {"ethread_limit_returns", &ethread_limit_returns},
      {"call_queue_waits", &call_queue_waits},
      {"call_queue_waiting", &call_queue_waiting},
      {"call_queue_sleeping", &call_queue_sleeping},
      {"call_queue_sleeping_peak", &call_queue_sleeping_peak},
      {"sessions_open", &sessions_open},
      {"ta_instances", &ta_instances},
      {"ta_instances_created", &ta_instances_created},
      {"registered_shm_objects", &registered_shm_objects},
      {"driver_arg_pages", &driver_arg_pages},
      {"user_shm_objects", &user_shm_objects},
      {"contexts_open", &contexts_open},
      {"shm_va_pages_mapped", &shm_va_pages_mapped},
      {"supplicant_requests_pending", &supplicant_requests_pending}};
  for (const auto& [name, v] : all)
    if (!*v) out.push_back(name);
  return out;
}

namespace {
template <typename F>
void each_fact(const StackFacts& f, F&& fn) {
  const std::pair<const char*, const std::optional<Fact>*> all[] = {
      {"optee_revision", &f.optee_revision},
      {"optee_build_id", &f.optee_build_id},
      {"sec_caps", &f.sec_caps},
      {"secure_threads", &f.secure_threads},
      {"driver", &f.driver},
      {"shm_pool", &f.shm_pool},
      {"async_notif", &f.async_notif},
      {"kernel", &f.kernel},
      {"profile", &f.profile},
      {"profile_description", &f.profile_description},
      {"hypervisor", &f.hypervisor},
      {"guests", &f.guests},
      {"carveout_bytes", &f.carveout_bytes},
      {"firmware", &f.firmware},
      {"qemu", &f.qemu}};
  for (const auto& [name, v] : all)
    if (*v) fn(name, **v);
}
}  // namespace

std::map<std::string, std::string> StackFacts::values() const {
  std::map<std::string, std::string> out;
  each_fact(*this, [&](const char* n, const Fact& f) { out[n] = f.value; });
  return out;
}

std::map<std::string, std::string> StackFacts::sources() const {
  std::map<std::string, std::string> out;
  each_fact(*this, [&](const char* n, const Fact& f) { out[n] = f.source; });
  return out;
}

bool GuestRelease::released() const {
  return !partition_left && xen_calls == 0 && xen_shm_buffers == 0 && xen_rpc_buffers == 0 &&
         xen_pinned_pages == 0 && partitions_in_memory == live_guests;
}

std::map<std::string, double> GuestRelease::to_map() const {
  return {{"destroy_ms", destroy_ms},
          {"optee_partition_left", partition_left ? 1.0 : 0.0},
          {"optee_partitions_in_memory", partitions_in_memory},
          {"live_guests", live_guests},
          {"xen_calls", xen_calls},
          {"xen_shm_buffers", xen_shm_buffers},
          {"xen_rpc_buffers", xen_rpc_buffers},
          {"xen_pinned_pages", xen_pinned_pages}};
}

nlohmann::json Target::details() const { return nullptr; }

void Target::kill_client(client::Device&) {
  throw std::runtime_error(
      "killing a client needs a target that runs clients as processes it controls (--target emu)");
}

GuestRelease Target::destroy_guest(uint32_t) {
  throw std::runtime_error("destroying a guest needs --target emu with stack.hypervisor=xen");
}

std::unique_ptr<Target> open(const TargetSpec& spec) {
  switch (spec.kind) {
    case Kind::kEmu:
#if defined(TEEBENCH_HAVE_EMULATOR)
      return std::make_unique<EmuTarget>(emu_config(spec));
#else
      throw std::runtime_error(
          "this teebench was built without the emulated stack (a board build): use --target "
          "/dev/tee0");
#endif
    case Kind::kDevice:
      return std::make_unique<DeviceTarget>(spec.arg);
    case Kind::kQemu:
      break;
  }
  throw std::runtime_error(
      "--target " + spec.text +
      ": the qemu target runs the whole command inside the guest; it has no clients here");
}

}  // namespace targets
