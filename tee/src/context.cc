#include "teebench/tee/context.h"

#include <cerrno>
#include <cstring>

namespace client {

Context::~Context() { close(); }

Result Context::open(std::string* why) {
  auto fail = [&](int err, std::string msg) {
    if (why) *why = std::move(msg);
    return Result::from_errno(err);
  };
  fd_ = dev_.open();
  if (fd_ < 0) {
    const int e = -fd_;
    fd_ = -1;
    if (e == EACCES || e == EPERM)
      return fail(e, dev_.name() +
                         ": permission denied: add your user to the group owning it "
                         "(often 'tee'), or use --target emu");
    return fail(e, dev_.name() + ": cannot open: " + std::strerror(e) + "; use --target emu");
  }
  const int rc = dev_.ioctl(fd_, TEE_IOC_VERSION, &version_);
  if (rc < 0) {
    close();
    return fail(-rc, dev_.name() + ": TEE_IOC_VERSION failed: " + std::strerror(-rc));
  }
  if (version_.impl_id != TEE_IMPL_ID_OPTEE) {
    const uint32_t id = version_.impl_id;
    close();
    return fail(ENODEV, dev_.name() + ": TEE implementation id " + std::to_string(id) +
                            " is not OP-TEE (1); pick the OP-TEE device or use --target emu");
  }
  if (!(version_.gen_caps & TEE_GEN_CAP_GP)) {
    close();
    return fail(ENODEV, dev_.name() +
                            ": device is not GlobalPlatform capable (a supplicant "
                            "device?); use /dev/teeN, not /dev/teeprivN");
  }
  return {};
}

void Context::close() {
  if (fd_ >= 0) dev_.close(fd_);
  fd_ = -1;
}

}  // namespace client
