// A TEE context: one open of the device (TEE_IOC_VERSION read at open).
#pragma once

#include <linux/tee.h>

#include <string>

#include "teebench/tee/device.h"
#include "teebench/tee/result.h"

namespace client {

class Context {
 public:
  explicit Context(Device& dev) : dev_(dev) {}
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // Opens the device and reads its version. A device that is not OP-TEE, or not GlobalPlatform
  // capable, fails with err = ENODEV and a one-line reason in *why.
  Result open(std::string* why = nullptr);
  void close();

  Device& device() const { return dev_; }
  int fd() const { return fd_; }
  const tee_ioctl_version_data& version() const { return version_; }
  bool reg_mem() const { return version_.gen_caps & TEE_GEN_CAP_REG_MEM; }
  bool memref_null() const { return version_.gen_caps & TEE_GEN_CAP_MEMREF_NULL; }

 private:
  Device& dev_;
  int fd_ = -1;
  tee_ioctl_version_data version_{};
};

}  // namespace client
