#include "targets/emu/emu_device.h"

#include <cerrno>

namespace targets {

EmuDevice::EmuDevice(std::shared_ptr<emu::Machine> machine, std::shared_ptr<emu::Kernel> kernel)
    : machine_(std::move(machine)),
      kernel_(kernel ? std::move(kernel) : machine_->kernel()),
      process_(kernel_->spawn_process()) {}

EmuDevice::~EmuDevice() { process_->exit(); }

int EmuDevice::open() { return kernel_->tee0().open(*process_); }

int EmuDevice::ioctl(int fd, unsigned long request, void* arg) {
  auto f = process_->get_file(fd);
  if (!f) return -EBADF;
  return static_cast<int>(
      f->ioctl(*process_, static_cast<unsigned int>(request), reinterpret_cast<uintptr_t>(arg)));
}

int EmuDevice::close(int fd) { return process_->close_fd(fd); }

void* EmuDevice::mmap(int fd, size_t len, int* err) {
  auto f = process_->get_file(fd);
  if (!f) {
    *err = -EBADF;
    return nullptr;
  }
  void* addr = nullptr;
  const long rc = f->mmap(*process_, len, f, &addr);
  if (rc) {
    *err = static_cast<int>(rc);
    return nullptr;
  }
  return addr;
}

int EmuDevice::munmap(void* addr, size_t len) { return process_->mm().unmap(addr, len); }

void* EmuDevice::alloc_user(size_t len, int* err) { return process_->mm().map_anonymous(len, err); }

void EmuDevice::free_user(void* addr, size_t len) { process_->mm().unmap(addr, len); }

}  // namespace targets
