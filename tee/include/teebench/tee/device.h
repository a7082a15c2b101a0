// A TEE device as the client sees it: the Linux TEE UAPI (<linux/tee.h>) on file descriptors.
// KernelDevice (a real /dev/teeN) is one implementation; targets/ provides the emulated one.
// Nothing above this interface knows which one it has.
#pragma once

#include <cstddef>
#include <string>

namespace client {

class Device {
 public:
  virtual ~Device() = default;
  // What this device is ("/dev/tee0", "emu").
  virtual std::string name() const = 0;
  // open(2) of the device node: a new TEE context. Returns an fd or -errno.
  virtual int open() = 0;
  // ioctl(2) with the real UAPI structs. Returns >= 0 or -errno.
  virtual int ioctl(int fd, unsigned long request, void* arg) = 0;
  virtual int close(int fd) = 0;
  // mmap(2) of an allocated shm fd (offset 0). Returns nullptr with *err = -errno on failure.
  virtual void* mmap(int fd, size_t len, int* err) = 0;
  virtual int munmap(void* addr, size_t len) = 0;
  // Page-aligned process memory that TEE_IOC_SHM_REGISTER can register: ordinary anonymous memory
  // on a real kernel, emulated physical pages mapped into the emulated process otherwise.
  virtual void* alloc_user(size_t len, int* err) = 0;
  virtual void free_user(void* addr, size_t len) = 0;
};

}  // namespace client
