// The TEE subsystem's internal objects and the driver interface (Linux include/linux/tee_core.h):
// contexts, shared memory objects, parameters, and the ops a TEE driver implements.
#pragma once

#include <linux/tee.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "emu/platform/memory.h"

namespace emu::linux_tee {

class Process;
class TeeDevice;
struct TeeShm;

// One open of /dev/teeN (struct tee_context). Refcounted: the fd and every shm object hold it.
struct TeeContext {
  TeeDevice* dev = nullptr;
  std::atomic<int> refcount{1};
  void* data = nullptr;      // driver private (optee_context_data)
  bool supp_nowait = false;  // true for in-kernel clients
  bool releasing = false;    // its last reference is gone; the driver is closing it
  bool cap_memref_null = false;
  Process* process = nullptr;  // the opener (for pinning user pages); null for kernel contexts
};

// Kernel-internal shm flags (tee_core.h).
inline constexpr uint32_t TEE_SHM_DYNAMIC = 1u << 0;      // registered in the secure world
inline constexpr uint32_t TEE_SHM_USER_MAPPED = 1u << 1;  // user pages, pinned
inline constexpr uint32_t TEE_SHM_POOL = 1u << 2;         // from a pool
inline constexpr uint32_t TEE_SHM_PRIV = 1u << 3;         // driver private, not registered

struct TeeShm {
  TeeContext* ctx = nullptr;
  int id = -1;  // >= 1 when visible to user space
  size_t size = 0;
  size_t offset = 0;  // of the buffer in its first page
  uint32_t flags = 0;
  platform::paddr_t paddr = 0;  // first byte, for physically contiguous (static pool) memory
  uint8_t* kaddr = nullptr;     // kernel linear address, when physically contiguous
  std::vector<platform::paddr_t> pages;  // every page, always filled
  std::atomic<int> refcount{1};
  uint64_t sec_world_id = 0;  // cookie handed to the secure world
  void* pool_data = nullptr;
  // The pointer value is the cookie, as Linux passes the struct tee_shm pointer.
  uint64_t cookie() const { return reinterpret_cast<uintptr_t>(this); }
};

// struct tee_param, after the core resolved memref shm ids.
struct TeeParam {
  uint64_t attr = 0;
  struct {
    uint64_t a = 0, b = 0, c = 0;
  } value;
  struct {
    TeeShm* shm = nullptr;
    size_t offs = 0;
    size_t size = 0;
  } memref;
};

// A pool of memory for SHM_ALLOC and driver buffers (tee_shm_pool_ops).
class TeeShmPool {
 public:
  virtual ~TeeShmPool() = default;
  // Fills shm->pages/paddr/kaddr/size. -ENOMEM when exhausted.
  virtual int alloc(TeeShm* shm, size_t size, size_t align) = 0;
  virtual void free(TeeShm* shm) = 0;
  virtual bool is_static() const = 0;
};

// struct tee_driver_ops. Every op returns 0 or -errno; a missing op is -EINVAL in the core.
class TeeDriver {
 public:
  virtual ~TeeDriver() = default;
  virtual void get_version(tee_ioctl_version_data* v) = 0;
  virtual int open(TeeContext* ctx) = 0;
  virtual void release(TeeContext* ctx) = 0;
  // The fd of `ctx` was closed; the context may live on (shm objects hold it).
  virtual void close_context(TeeContext*) {}
  virtual int open_session(TeeContext* ctx, tee_ioctl_open_session_arg* arg, TeeParam* params) = 0;
  virtual int close_session(TeeContext* ctx, uint32_t session) = 0;
  virtual int invoke_func(TeeContext* ctx, tee_ioctl_invoke_arg* arg, TeeParam* params) = 0;
  virtual int cancel_req(TeeContext* ctx, uint32_t cancel_id, uint32_t session) = 0;
  virtual int supp_recv(TeeContext*, uint32_t*, uint32_t*, TeeParam*) { return -EINVAL; }
  virtual int supp_send(TeeContext*, uint32_t, uint32_t, TeeParam*) { return -EINVAL; }
  // Registers user pages (shm->pages) with the secure world.
  virtual int shm_register(TeeContext* ctx, TeeShm* shm) = 0;
  virtual int shm_unregister(TeeContext* ctx, TeeShm* shm) = 0;
  // Called by the pool for non-PRIV pool allocations (dynamic pool: REGISTER_SHM).
  virtual TeeShmPool& pool() = 0;
};

}  // namespace emu::linux_tee
