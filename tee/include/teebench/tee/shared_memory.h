// Shared memory between a client and the TEE, in the two kinds the kernel offers:
//  - allocated: TEE_IOC_SHM_ALLOC from the driver's pool (the static carve-out, or kernel pages
//    registered with OP-TEE) and mmap'ed into the process;
//  - registered: TEE_IOC_SHM_REGISTER of the caller's own pages (zero copy).
#pragma once

#include <cstddef>

#include "teebench/tee/context.h"
#include "teebench/tee/result.h"

namespace client {

class SharedMemory {
 public:
  enum class Kind { kNone, kAllocated, kRegistered };

  SharedMemory() = default;
  ~SharedMemory() { release(); }
  SharedMemory(SharedMemory&& o) noexcept { *this = std::move(o); }
  SharedMemory& operator=(SharedMemory&& o) noexcept;
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;

  static Result allocate(Context& ctx, size_t size, SharedMemory* out);
  static Result register_memory(Context& ctx, void* addr, size_t size, SharedMemory* out);
  // Closes the fd (and unmaps an allocated buffer); the kernel frees the object once the TEE is
  // done with it.
  void release();

  int id() const { return id_; }
  void* data() const { return data_; }
  size_t size() const { return size_; }
  Kind kind() const { return kind_; }

 private:
  Device* dev_ = nullptr;
  int fd_ = -1;
  int id_ = -1;
  void* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
  Kind kind_ = Kind::kNone;
};

// Page-aligned memory from the device that can be registered (Device::alloc_user), RAII.
class UserBuffer {
 public:
  UserBuffer() = default;
  UserBuffer(Device& dev, size_t size);  // throws std::bad_alloc when the device has no memory
  ~UserBuffer();
  UserBuffer(UserBuffer&& o) noexcept;
  UserBuffer& operator=(UserBuffer&& o) noexcept;
  UserBuffer(const UserBuffer&) = delete;
  UserBuffer& operator=(const UserBuffer&) = delete;
  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  Device* dev_ = nullptr;
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace client
