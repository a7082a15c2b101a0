#include "teebench/tee/target.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "teebench/tee/emu_device.h"
#include "teebench/tee/kernel_device.h"

namespace client {

std::string configure_target(Target& t, const std::string& spec,
                             const std::vector<std::string>& settings) {
  if (spec != "emu" && spec.rfind("/dev/", 0) != 0)
    return "--target '" + spec + "': use 'emu' or a device path such as /dev/tee0";
  t.spec = spec;
  for (const auto& s : settings) {
    if (!t.is_emu())
      return "--set " + s + ": settings apply to the emulated stack only (--target emu)";
    if (auto e = emu::apply_setting(t.emu, s); !e.empty()) return "--set " + e;
  }
  return {};
}

std::unique_ptr<Device> open_target(const Target& t) {
  if (t.is_emu()) return std::make_unique<EmuDevice>(std::make_shared<emu::Machine>(t.emu));
  struct stat st {};
  if (::stat(t.spec.c_str(), &st) != 0) {
    const int e = errno;
    if (e == ENOENT)
      throw std::runtime_error(t.spec +
                               ": no such device: no TEE driver is loaded here (is optee.ko "
                               "probed?); use --target emu to run on the emulated OP-TEE stack");
    throw std::runtime_error(t.spec + ": " + std::strerror(e) + "; use --target emu instead");
  }
  if (!S_ISCHR(st.st_mode))
    throw std::runtime_error(t.spec +
                             ": not a character device; pass a TEE device such as "
                             "/dev/tee0, or --target emu");
  return std::make_unique<KernelDevice>(t.spec);
}

namespace {

class KernelStack final : public Stack {
 public:
  explicit KernelStack(std::string path) : path_(std::move(path)) {}
  std::unique_ptr<Device> new_client() override { return std::make_unique<KernelDevice>(path_); }

 private:
  std::string path_;
};

class EmuStack final : public Stack {
 public:
  explicit EmuStack(const emu::EmuConfig& cfg) : machine_(std::make_shared<emu::Machine>(cfg)) {}
  std::unique_ptr<Device> new_client() override { return std::make_unique<EmuDevice>(machine_); }
  std::map<std::string, double> counters() const override {
    auto& m = *machine_;
    const auto states = m.optee_os().threads().states();
    double free = 0;
    for (auto st : states) free += st == emu::optee_os::ThreadState::kFree;
    auto& cq = m.driver().call_queue();
    return {{"secure_threads", static_cast<double>(states.size())},
            {"secure_threads_free", free},
            {"ethread_limit_returns", static_cast<double>(cq.ethread_limit_count())},
            {"call_queue_waits", static_cast<double>(cq.accounted_waits())},
            {"call_queue_waiting", static_cast<double>(cq.waiting())},
            {"sessions_open", static_cast<double>(m.optee_os().ta_manager().session_count())},
            {"registered_shm_objects", static_cast<double>(m.optee_os().reg_shm().count())},
            {"driver_arg_pages", static_cast<double>(m.driver().arg_cache_pages())},
            {"user_shm_objects", static_cast<double>(m.tee0().shm_count())}};
  }
  std::map<std::string, std::string> properties() const override {
    const auto& p = machine_->driver().probe_info();
    return {{"optee_revision",
             std::to_string(p.os_revision_major) + "." + std::to_string(p.os_revision_minor)},
            {"secure_threads", std::to_string(machine_->config().os.num_threads)},
            {"driver", emu::to_string(machine_->config().driver.gen)},
            {"shm_pool", p.static_pool ? "static" : "dynamic"},
            {"profile", machine_->cost().profile().name},
            {"profile_description", machine_->cost().profile().description}};
  }
  std::vector<std::string> thread_states() const override {
    std::vector<std::string> out;
    const auto states = machine_->optee_os().threads().states();
    for (size_t i = 0; i < states.size(); ++i)
      out.push_back("thread " + std::to_string(i) + " " + emu::optee_os::to_string(states[i]));
    return out;
  }

 private:
  std::shared_ptr<emu::Machine> machine_;
};

}  // namespace

std::unique_ptr<Stack> Stack::open(const Target& t) {
  if (t.is_emu()) return std::make_unique<EmuStack>(t.emu);
  open_target(t);  // the same checks and messages for a missing or wrong device
  return std::make_unique<KernelStack>(t.spec);
}

}  // namespace client
