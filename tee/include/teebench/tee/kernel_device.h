// A real TEE device node (/dev/teeN) driven with plain open(2)/ioctl(2)/mmap(2).
#pragma once

#include <string>

#include "teebench/tee/device.h"

namespace client {

class KernelDevice final : public Device {
 public:
  explicit KernelDevice(std::string path) : path_(std::move(path)) {}
  std::string name() const override { return path_; }
  int open() override;
  int ioctl(int fd, unsigned long request, void* arg) override;
  int close(int fd) override;
  void* mmap(int fd, size_t len, int* err) override;
  int munmap(void* addr, size_t len) override;
  void* alloc_user(size_t len, int* err) override;
  void free_user(void* addr, size_t len) override;

 private:
  std::string path_;
};

}  // namespace client
