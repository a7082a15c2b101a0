#include "teebench/tee/target.h"

#include <sys/stat.h>

#include <chrono>

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
  std::unique_ptr<Device> new_client(uint32_t guest) override {
    if (guest != 1)
      throw std::runtime_error("guest " + std::to_string(guest) +
                               ": a device node is one kernel; run guests on --target emu "
                               "with hypervisor=xen");
    return std::make_unique<KernelDevice>(path_);
  }

 private:
  std::string path_;
};

class EmuStack final : public Stack {
 public:
  explicit EmuStack(const emu::EmuConfig& cfg)
      : machine_(std::make_shared<emu::Machine>(cfg)), kernels_(machine_->kernels()) {}

  std::unique_ptr<Device> new_client(uint32_t guest) override {
    if (guest < 1 || guest > kernels_.size())
      throw std::runtime_error("guest " + std::to_string(guest) + " does not exist: the stack has " +
                               std::to_string(kernels_.size()) +
                               (machine_->hypervisor() ? " (set stack.guests)"
                                                       : " (guests need stack.hypervisor=xen)"));
    return std::make_unique<EmuDevice>(machine_, kernels_[guest - 1]);
  }
  uint32_t guest_count() const override { return static_cast<uint32_t>(kernels_.size()); }

  std::map<std::string, double> destroy_guest(uint32_t guest) override {
    if (!machine_->hypervisor())
      throw std::runtime_error("destroying a guest needs stack.hypervisor=xen");
    if (guest < 1 || guest > kernels_.size())
      throw std::runtime_error("guest " + std::to_string(guest) + " does not exist");
    emu::Kernel& k = *kernels_[guest - 1];
    emu::xen::Domain* d = emu::Machine::domain_of(k);
    const auto t0 = std::chrono::steady_clock::now();
    machine_->destroy_guest(k);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    auto& os = machine_->optee_os();
    const auto st = machine_->hypervisor()->mediator().state(*d);
    return {{"destroy_ms", ms},
            {"optee_partition_left", os.guest(k.domid() + 1) ? 1.0 : 0.0},
            {"optee_partitions_in_memory", static_cast<double>(os.partitions().size())},
            {"live_guests", static_cast<double>(machine_->kernels().size())},
            {"xen_calls", st.calls},
            {"xen_shm_buffers", st.shm_buffers},
            {"xen_rpc_buffers", st.rpc_buffers},
            {"xen_pinned_pages", static_cast<double>(st.pinned_pages)}};
  }

  std::map<std::string, double> counters() const override {
    auto& m = *machine_;
    double threads = 0, free = 0;
    for (const auto& p : m.optee_os().partitions())
      for (auto st : p->threads().states()) {
        threads += 1;
        free += st == emu::optee_os::ThreadState::kFree;
      }
    double limit = 0, waits = 0, waiting = 0, arg_pages = 0, user_shm = 0;
    for (const auto& k : m.kernels()) {
      auto& cq = k->driver().call_queue();
      limit += static_cast<double>(cq.ethread_limit_count());
      waits += static_cast<double>(cq.accounted_waits());
      waiting += static_cast<double>(cq.waiting());
      arg_pages += static_cast<double>(k->driver().arg_cache_pages());
      user_shm += static_cast<double>(k->tee0().shm_count());
    }
    std::map<std::string, double> c = {
        {"secure_threads", threads},
        {"secure_threads_free", free},
        {"ethread_limit_returns", limit},
        {"call_queue_waits", waits},
        {"call_queue_waiting", waiting},
        {"sessions_open", static_cast<double>(m.optee_os().session_count())},
        {"registered_shm_objects", static_cast<double>(m.optee_os().reg_shm_count())},
        {"driver_arg_pages", arg_pages},
        {"user_shm_objects", user_shm}};
    if (auto* hv = m.hypervisor()) {
      const auto& n = hv->mediator().counters();
      c["xen_thread_limit_refusals"] = static_cast<double>(n.thread_limit.load());
      c["xen_buffer_too_big"] = static_cast<double>(n.buffer_too_big.load());
      c["xen_buffer_count_refusals"] = static_cast<double>(n.buffer_count.load());
      c["xen_total_pages_refusals"] = static_cast<double>(n.total_pages.load());
      c["xen_pages_translated"] = static_cast<double>(n.pages_translated.load());
      c["xen_rejected"] = static_cast<double>(n.rejected.load());
      c["xen_pages_held"] = static_cast<double>(hv->mediator().xen_pages());
      for (size_t g = 0; g < kernels_.size(); ++g) {
        const auto st = hv->mediator().state(*emu::Machine::domain_of(*kernels_[g]));
        const std::string pre = "guest" + std::to_string(g + 1) + ".";
        c[pre + "xen_pinned_pages"] = static_cast<double>(st.pinned_pages);
        c[pre + "xen_shm_buffers"] = st.shm_buffers;
      }
    }
    return c;
  }

  std::map<std::string, std::string> properties() const override {
    const auto& p = machine_->driver().probe_info();
    const auto& cfg = machine_->config();
    std::map<std::string, std::string> out = {
        {"optee_revision",
         std::to_string(p.os_revision_major) + "." + std::to_string(p.os_revision_minor)},
        {"secure_threads", std::to_string(cfg.os.num_threads)},
        {"driver", emu::to_string(cfg.driver.gen)},
        {"shm_pool", p.static_pool ? "static" : "dynamic"},
        {"profile", machine_->cost().profile().name},
        {"profile_description", machine_->cost().profile().description}};
    if (machine_->hypervisor()) {
      out["hypervisor"] = "xen";
      out["guests"] = std::to_string(kernels_.size());
    }
    return out;
  }

  std::vector<std::string> thread_states() const override {
    std::vector<std::string> out;
    for (const auto& p : machine_->optee_os().partitions()) {
      const auto states = p->threads().states();
      const std::string pre = machine_->hypervisor() ? "guest " + std::to_string(p->id()) + " " : "";
      for (size_t i = 0; i < states.size(); ++i)
        out.push_back(pre + "thread " + std::to_string(i) + " " +
                      emu::optee_os::to_string(states[i]));
    }
    return out;
  }

 private:
  std::shared_ptr<emu::Machine> machine_;
  std::vector<std::shared_ptr<emu::Kernel>> kernels_;  // guest g is kernels_[g - 1]
};

}  // namespace

std::map<std::string, double> Stack::destroy_guest(uint32_t) {
  throw std::runtime_error("destroying a guest needs --target emu with stack.hypervisor=xen");
}

std::unique_ptr<Stack> Stack::open(const Target& t) {
  if (t.is_emu()) return std::make_unique<EmuStack>(t.emu);
  open_target(t);  // the same checks and messages for a missing or wrong device
  return std::make_unique<KernelStack>(t.spec);
}

}  // namespace client
