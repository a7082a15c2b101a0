// `teebench info`: what the device is and how it is configured.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/qemu_forward.h"
#include "teebench/tee/context.h"

namespace app {
namespace {

using nlohmann::json;

template <size_t N>
json flag_names(uint32_t v, const std::pair<uint32_t, const char*> (&names)[N]) {
  json out = json::array();
  for (const auto& [bit, name] : names)
    if (v & bit) out.push_back(name);
  return out;
}

constexpr std::pair<uint32_t, const char*> kGenCaps[] = {
    {TEE_GEN_CAP_GP, "TEE_GEN_CAP_GP"},
    {TEE_GEN_CAP_PRIVILEGED, "TEE_GEN_CAP_PRIVILEGED"},
    {TEE_GEN_CAP_REG_MEM, "TEE_GEN_CAP_REG_MEM"},
    {TEE_GEN_CAP_MEMREF_NULL, "TEE_GEN_CAP_MEMREF_NULL"}};
constexpr std::pair<uint32_t, const char*> kImplCaps[] = {{TEE_OPTEE_CAP_TZ, "TEE_OPTEE_CAP_TZ"}};
const char* impl_name(uint32_t id) {
  switch (id) {
    case TEE_IMPL_ID_OPTEE:
      return "OP-TEE";
    case TEE_IMPL_ID_AMDTEE:
      return "AMD-TEE";
    default:
      return "unknown";
  }
}

json describe(const targets::TargetSpec& spec, const targets::Target& target,
              const client::Context& ctx) {
  const auto& v = ctx.version();
  json j = {{"target", spec.text},
            {"impl_id", v.impl_id},
            {"impl_name", impl_name(v.impl_id)},
            {"impl_caps", v.impl_caps},
            {"impl_caps_names", flag_names(v.impl_caps, kImplCaps)},
            {"gen_caps", v.gen_caps},
            {"gen_caps_names", flag_names(v.gen_caps, kGenCaps)}};
  const auto facts = target.facts();
  json shm_modes = json::array();
  if (ctx.reg_mem()) shm_modes.push_back("registered");
  if (facts.shm_pool)
    shm_modes.push_back(facts.shm_pool->value == "static" ? "static" : "allocated-dynamic");
  else
    shm_modes.push_back("allocated");
  j["shm_modes"] = shm_modes;
  // Each fact with where it came from; what the target cannot tell is null.
  json optee = json::object();
  for (const char* k :
       {"optee_revision", "optee_build_id", "sec_caps", "secure_threads", "driver", "async_notif",
        "kernel", "carveout_bytes", "hypervisor", "guests", "firmware", "qemu"})
    optee[k] = nullptr;
  const auto sources = facts.sources();
  for (const auto& [k, val] : facts.values())
    if (optee.contains(k)) optee[k] = {{"value", val}, {"source", sources.at(k)}};
  j["stack"] = optee;
  const auto caps = target.capabilities();
  j["capabilities"] = {{"guests", caps.guests},
                       {"destroy_guest", caps.destroy_guest},
                       {"defects", caps.defects},
                       {"ocall_protocol", caps.ocall_protocol},
                       {"kill_client", caps.kill_client},
                       {"stack_counters", caps.stack_counters},
                       {"thread_states", caps.thread_states}};
  if (auto d = target.details(); !d.is_null()) j["details"] = d;
  return j;
}

void print_text(const json& j) {
  auto list = [](const json& a) {
    std::string s;
    for (const auto& x : a) s += (s.empty() ? "" : " | ") + x.get<std::string>();
    return s.empty() ? std::string("-") : s;
  };
  fmt::print("target          {}\n", j["target"].get<std::string>());
  fmt::print("implementation  {} (impl id {})\n", j["impl_name"].get<std::string>(),
             j["impl_id"].get<int>());
  fmt::print("impl caps       {}\n", list(j["impl_caps_names"]));
  fmt::print("generic caps    {}\n", list(j["gen_caps_names"]));
  fmt::print("shm modes       {}\n", list(j["shm_modes"]));
  const std::pair<const char*, const char*> rows[] = {{"optee_revision", "OP-TEE revision"},
                                                      {"optee_build_id", "OP-TEE build"},
                                                      {"sec_caps", "OP-TEE caps"},
                                                      {"secure_threads", "threads"},
                                                      {"driver", "call queue"},
                                                      {"async_notif", "async notif"},
                                                      {"kernel", "kernel"},
                                                      {"carveout_bytes", "carve-out bytes"},
                                                      {"hypervisor", "hypervisor"},
                                                      {"guests", "guests"},
                                                      {"firmware", "firmware"},
                                                      {"qemu", "qemu"}};
  for (const auto& [key, title] : rows) {
    const auto& f = j["stack"][key];
    if (f.is_null())
      fmt::print("{:<15} unavailable (this target does not tell)\n", title);
    else
      fmt::print("{:<15} {}  [{}]\n", title, f["value"].get<std::string>(),
                 f["source"].get<std::string>());
  }
  if (j.contains("details") && j["details"].contains("profile"))
    fmt::print("profile         {}: {}\n", j["details"]["profile"]["name"].get<std::string>(),
               j["details"]["profile"]["description"].get<std::string>());
}

}  // namespace

Runner add_info(CLI::App& app) {
  auto* cmd = app.add_subcommand("info",
                                 "Show the device: implementation, capabilities, OP-TEE "
                                 "revision, threads, shm modes, driver and profile");
  auto opts = std::make_shared<TargetOptions>();
  auto as_json = std::make_shared<bool>(false);
  opts->add_to(cmd);
  cmd->add_flag("--json", *as_json, "print JSON");
  return [cmd, opts, as_json]() {
    if (!*cmd) return -1;
    targets::TargetSpec spec;
    if (!opts->resolve(&spec)) return 2;
    if (spec.kind == targets::Kind::kQemu) {
      targets::qemu::GuestCommand g;
      g.argv = {"info", "--target", "/dev/tee0"};
      if (*as_json) g.argv.push_back("--json");
      return run_in_qemu(spec, std::move(g), "");
    }
    std::unique_ptr<targets::Target> target;
    std::unique_ptr<client::Device> dev;
    std::unique_ptr<client::Context> context;
    if (!opts->open(&spec, &target, &dev, &context)) return 2;
    const json j = describe(spec, *target, *context);
    if (*as_json)
      fmt::print("{}\n", j.dump(2));
    else
      print_text(j);
    return 0;
  };
}

}  // namespace app
