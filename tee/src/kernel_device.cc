#include "teebench/tee/kernel_device.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace client {

int KernelDevice::open() {
  const int fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

int KernelDevice::ioctl(int fd, unsigned long request, void* arg) {
  const int rc = ::ioctl(fd, request, arg);
  return rc < 0 ? -errno : rc;
}

int KernelDevice::close(int fd) { return ::close(fd) < 0 ? -errno : 0; }

void* KernelDevice::mmap(int fd, size_t len, int* err) {
  void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    *err = -errno;
    return nullptr;
  }
  return p;
}

int KernelDevice::munmap(void* addr, size_t len) { return ::munmap(addr, len) < 0 ? -errno : 0; }

void* KernelDevice::alloc_user(size_t len, int* err) {
  // Normal cached anonymous memory: what OP-TEE's driver accepts for registration.
  void* p = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    *err = -errno;
    return nullptr;
  }
  return p;
}

void KernelDevice::free_user(void* addr, size_t len) { ::munmap(addr, len); }

}  // namespace client
