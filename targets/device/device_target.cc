#include "targets/device/device_target.h"

#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <stdexcept>

#include "targets/optee_conf.h"
#include "teebench/tee/kernel_device.h"

namespace targets {
namespace {

void check_node(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int e = errno;
    if (e == ENOENT)
      throw std::runtime_error(path +
                               ": no such device: no TEE driver is loaded here (is optee.ko "
                               "probed?); use --target emu to run on the emulated OP-TEE stack");
    throw std::runtime_error(path + ": " + std::strerror(e) + "; use --target emu instead");
  }
  if (!S_ISCHR(st.st_mode))
    throw std::runtime_error(path +
                             ": not a character device; pass a TEE device such as /dev/tee0, "
                             "or --target emu");
}

// The whole kernel ring buffer, or "" where reading it is not allowed (dmesg_restrict without
// CAP_SYSLOG): the facts it would give are then simply unavailable.
std::string read_kernel_log() {
  const int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, nullptr, 0);
  if (size <= 0) return {};
  std::string buf(static_cast<size_t>(size), '\0');
  const int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf.data(), size);
  if (n <= 0) return {};
  buf.resize(static_cast<size_t>(n));
  return buf;
}

}  // namespace

DeviceTarget::DeviceTarget(std::string path) : path_(std::move(path)) { check_node(path_); }

std::unique_ptr<client::Device> DeviceTarget::new_client(uint32_t guest) {
  if (guest != 1)
    throw std::runtime_error("guest " + std::to_string(guest) +
                             ": a device node is one kernel; run guests on --target emu with "
                             "hypervisor=xen");
  return std::make_unique<client::KernelDevice>(path_);
}

Capabilities DeviceTarget::capabilities() const {
  Capabilities c;
  // The qemu target tells its guest how QEMU runs (TEEBENCH_QEMU): under TCG without
  // instruction counting, wall-clock time depends on the host and moves 7-70 % between boots.
  if (const char* q = std::getenv("TEEBENCH_QEMU");
      q && std::string(q).find("-icount") == std::string::npos)
    c.timing_caveat =
        "TCG wall clock under QEMU: not board timing, moves between boots (use "
        "--target qemu:...,icount for reproducible instruction counts)";
  return c;
}

StackFacts facts_from_kernel_log(const std::string& log) {
  StackFacts f;
  const std::string src = "kernel log (optee driver probe)";
  // Linux drivers/tee/optee/smc_abi.c prints the revision OP-TEE reports through
  // OPTEE_SMC_CALL_GET_OS_REVISION, with the build id when OP-TEE gives one.
  static const std::regex rev(R"(optee: revision (\d+)\.(\d+)(?: \(([0-9a-f]+)\))?)");
  std::smatch m;
  if (std::regex_search(log, m, rev)) {
    f.optee_revision = {m[1].str() + "." + m[2].str(), src};
    if (m[3].matched) f.optee_build_id = {m[3].str(), src};
  }
  if (log.find("optee: dynamic shared memory is enabled") != std::string::npos)
    f.shm_pool = {"dynamic", src};
  else if (log.find("optee: initialized driver") != std::string::npos)
    f.shm_pool = {"static", src};
  if (log.find("optee: Asynchronous notifications enabled") != std::string::npos)
    f.async_notif = {"y", src};
  return f;
}

std::string driver_generation(const std::string& release) {
  unsigned major = 0, minor = 0;
  if (std::sscanf(release.c_str(), "%u.%u", &major, &minor) != 2) return {};
  return major > 6 || (major == 6 && minor >= 8) ? "6.8" : "pre-6.8";
}

static void facts_from_build_config(const std::string& conf_h, StackFacts* f) {
  const auto conf = read_optee_conf(conf_h);
  const std::string src = "OP-TEE build config (" + conf_h + ")";
  if (auto it = conf.find("CFG_NUM_THREADS"); it != conf.end())
    f->secure_threads = {it->second, src};
  if (auto it = conf.find("CFG_SHMEM_SIZE"); it != conf.end())
    f->carveout_bytes = {std::to_string(std::stoull(it->second, nullptr, 0)), src};
}

StackFacts DeviceTarget::facts() const {
  StackFacts f = facts_from_kernel_log(read_kernel_log());
  // The thread count and carve-out are not visible through Linux 6.1: where the user (or the
  // qemu target) names the OP-TEE build's conf.h (export-ta_arm64/host_include/conf.h), use it.
  if (const char* conf = std::getenv("TEEBENCH_OPTEE_CONF"); conf && *conf)
    facts_from_build_config(conf, &f);
  // What the host that booted this guest knows about it (the qemu target writes these).
  if (const char* fw = std::getenv("TEEBENCH_QEMU_FIRMWARE"); fw && *fw)
    f.firmware = {fw, "qemu target (host)"};
  if (const char* q = std::getenv("TEEBENCH_QEMU"); q && *q) f.qemu = {q, "qemu target (host)"};
  struct utsname u {};
  if (::uname(&u) == 0) {
    f.kernel = {u.release, "uname"};
    if (auto g = driver_generation(u.release); !g.empty())
      f.driver = {g, "kernel version (the call queue counts threads from Linux 6.8)"};
  }
  return f;
}

}  // namespace targets
