#include "teebench/tee/emu_device.h"

#include <cerrno>
#include <vector>

namespace client {

using emu::platform::kPageSize;

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

void* EmuDevice::alloc_user(size_t len, int* err) {
  if (len == 0) {
    *err = -EINVAL;
    return nullptr;
  }
  auto& mem = kernel_->mem();
  std::vector<emu::platform::paddr_t> pages;
  for (size_t i = 0; i < (len + kPageSize - 1) / kPageSize; ++i) {
    auto pa = mem.alloc_page();
    if (!pa) {
      for (auto p : pages) mem.put_page(p);
      *err = -ENOMEM;
      return nullptr;
    }
    pages.push_back(*pa);
  }
  void* addr = process_->mm().map(pages, nullptr, err);
  // The mapping now holds each page; drop the allocation's own reference.
  for (auto p : pages) mem.put_page(p);
  return addr;
}

void EmuDevice::free_user(void* addr, size_t len) { process_->mm().unmap(addr, len); }

}  // namespace client
