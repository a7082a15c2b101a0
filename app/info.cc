// `teebench info`: what the device is and how it is configured.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "emu/abi/optee_smc.h"
#include "teebench/tee/context.h"
#include "teebench/tee/emu_device.h"

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
constexpr std::pair<uint32_t, const char*> kSecCaps[] = {
    {emu::abi::OPTEE_SMC_SEC_CAP_HAVE_RESERVED_SHM, "HAVE_RESERVED_SHM"},
    {emu::abi::OPTEE_SMC_SEC_CAP_UNREGISTERED_SHM, "UNREGISTERED_SHM"},
    {emu::abi::OPTEE_SMC_SEC_CAP_DYNAMIC_SHM, "DYNAMIC_SHM"},
    {emu::abi::OPTEE_SMC_SEC_CAP_VIRTUALIZATION, "VIRTUALIZATION"},
    {emu::abi::OPTEE_SMC_SEC_CAP_MEMREF_NULL, "MEMREF_NULL"},
    {emu::abi::OPTEE_SMC_SEC_CAP_ASYNC_NOTIF, "ASYNC_NOTIF"},
    {emu::abi::OPTEE_SMC_SEC_CAP_RPC_ARG, "RPC_ARG"}};

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

json describe(const client::Target& target, client::Device& dev, const client::Context& ctx) {
  const auto& v = ctx.version();
  json j = {{"target", target.spec},
            {"impl_id", v.impl_id},
            {"impl_name", impl_name(v.impl_id)},
            {"impl_caps", v.impl_caps},
            {"impl_caps_names", flag_names(v.impl_caps, kImplCaps)},
            {"gen_caps", v.gen_caps},
            {"gen_caps_names", flag_names(v.gen_caps, kGenCaps)}};
  json shm_modes = json::array();
  if (ctx.reg_mem()) shm_modes.push_back("registered");
  auto* emu_dev = dynamic_cast<client::EmuDevice*>(&dev);
  if (!emu_dev) {
    // The UAPI does not expose OP-TEE's revision, capabilities or thread count.
    j["optee"] = {{"revision", nullptr},
                  {"thread_count", nullptr},
                  {"sec_caps", nullptr},
                  {"driver", nullptr},
                  {"note", "not exposed by the kernel's TEE UAPI"}};
    shm_modes.push_back("allocated");
    j["shm_modes"] = shm_modes;
    return j;
  }
  auto& m = emu_dev->machine();
  const auto& p = m.driver().probe_info();
  if (p.static_pool)
    shm_modes.push_back("static");
  else
    shm_modes.push_back("allocated-dynamic");
  j["shm_modes"] = shm_modes;
  j["optee"] = {{"revision", fmt::format("{}.{}", p.os_revision_major, p.os_revision_minor)},
                {"build_id", p.os_build_id},
                {"sec_caps", p.sec_caps},
                {"sec_caps_names", flag_names(p.sec_caps, kSecCaps)},
                {"rpc_param_count", p.rpc_param_count},
                {"thread_count", m.config().os.num_threads},
                {"driver_thread_count", p.thread_count},
                {"static_pool", p.static_pool},
                {"carveout_bytes", m.mem().carveout_size()},
                {"driver", emu::to_string(m.config().driver.gen)}};
  const auto& prof = m.cost().profile();
  json costs = json::object();
  for (size_t i = 0; i < prof.costs.size(); ++i)
    if (!prof.costs[i].source.empty())
      costs[std::string(emu::platform::kCostNames[i])] = {{"ns", prof.costs[i].ns},
                                                          {"source", prof.costs[i].source}};
  j["profile"] = {{"name", prof.name}, {"description", prof.description}, {"costs", costs}};
  j["configuration"] = emu::to_json(m.config());
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
  const auto& o = j["optee"];
  if (o.contains("note")) {
    fmt::print("OP-TEE          revision, capabilities and thread count: {}\n",
               o["note"].get<std::string>());
    return;
  }
  fmt::print("OP-TEE revision {} (build {})\n", o["revision"].get<std::string>(),
             o["build_id"].get<uint32_t>());
  fmt::print("OP-TEE caps     {}\n", list(o["sec_caps_names"]));
  fmt::print("threads         {} (CFG_NUM_THREADS)\n", o["thread_count"].get<uint32_t>());
  fmt::print("driver          Linux {} call queue{}\n", o["driver"].get<std::string>(),
             o["driver_thread_count"].get<uint32_t>()
                 ? fmt::format(", counting {} threads", o["driver_thread_count"].get<uint32_t>())
                 : std::string(", no thread counting"));
  fmt::print(
      "carve-out       {} KiB{}\n", o["carveout_bytes"].get<uint64_t>() / 1024,
      o["static_pool"].get<bool>() ? " (the driver's pool)" : " (reserved, unused by the driver)");
  fmt::print("profile         {}: {}\n", j["profile"]["name"].get<std::string>(),
             j["profile"]["description"].get<std::string>());
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
    client::Target target;
    std::unique_ptr<client::Device> dev;
    std::unique_ptr<client::Context> context;
    if (!opts->open(&target, &dev, &context)) return 2;
    client::Context& ctx = *context;
    const json j = describe(target, *dev, ctx);
    if (*as_json)
      fmt::print("{}\n", j.dump(2));
    else
      print_text(j);
    return 0;
  };
}

}  // namespace app
