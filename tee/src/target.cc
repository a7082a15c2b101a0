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

}  // namespace client
