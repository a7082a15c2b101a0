#include "teebench/tee/shared_memory.h"

#include <linux/tee.h>

#include <cerrno>
#include <new>
#include <utility>

namespace client {

SharedMemory& SharedMemory::operator=(SharedMemory&& o) noexcept {
  if (this != &o) {
    release();
    dev_ = std::exchange(o.dev_, nullptr);
    fd_ = std::exchange(o.fd_, -1);
    id_ = std::exchange(o.id_, -1);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    mapped_ = std::exchange(o.mapped_, 0);
    kind_ = std::exchange(o.kind_, Kind::kNone);
  }
  return *this;
}

Result SharedMemory::allocate(Context& ctx, size_t size, SharedMemory* out) {
  out->release();
  tee_ioctl_shm_alloc_data data{};
  data.size = size;
  Device& dev = ctx.device();
  const int fd = dev.ioctl(ctx.fd(), TEE_IOC_SHM_ALLOC, &data);
  if (fd < 0) return Result::from_errno(-fd);
  int err = 0;
  const size_t map_len = data.size ? data.size : 1;
  void* p = dev.mmap(fd, map_len, &err);
  if (!p) {
    dev.close(fd);
    return Result::from_errno(-err);
  }
  out->dev_ = &dev;
  out->fd_ = fd;
  out->id_ = data.id;
  out->data_ = p;
  out->size_ = size;
  out->mapped_ = map_len;
  out->kind_ = Kind::kAllocated;
  return {};
}

Result SharedMemory::register_memory(Context& ctx, void* addr, size_t size, SharedMemory* out) {
  out->release();
  tee_ioctl_shm_register_data data{};
  data.addr = reinterpret_cast<uintptr_t>(addr);
  data.length = size;
  Device& dev = ctx.device();
  const int fd = dev.ioctl(ctx.fd(), TEE_IOC_SHM_REGISTER, &data);
  if (fd < 0) return Result::from_errno(-fd);
  out->dev_ = &dev;
  out->fd_ = fd;
  out->id_ = data.id;
  out->data_ = addr;
  out->size_ = size;
  out->kind_ = Kind::kRegistered;
  return {};
}

void SharedMemory::release() {
  if (!dev_) return;
  if (kind_ == Kind::kAllocated && data_) dev_->munmap(data_, mapped_);
  if (fd_ >= 0) dev_->close(fd_);
  dev_ = nullptr;
  fd_ = -1;
  id_ = -1;
  data_ = nullptr;
  size_ = 0;
  mapped_ = 0;
  kind_ = Kind::kNone;
}

UserBuffer::UserBuffer(Device& dev, size_t size) : dev_(&dev), size_(size) {
  int err = 0;
  data_ = dev.alloc_user(size, &err);
  if (!data_) throw std::bad_alloc();
}

UserBuffer::~UserBuffer() {
  if (data_) dev_->free_user(data_, size_);
}

UserBuffer::UserBuffer(UserBuffer&& o) noexcept { *this = std::move(o); }

UserBuffer& UserBuffer::operator=(UserBuffer&& o) noexcept {
  if (this != &o) {
    if (data_) dev_->free_user(data_, size_);
    dev_ = std::exchange(o.dev_, nullptr);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

}  // namespace client
