// tee-supplicant (optee_client tee-supplicant/src/tee_supplicant.c) as an emulated user process:
// it opens /dev/teeprivN, waits in TEE_IOC_SUPPL_RECV with a META parameter (async capable), and
// starts another serving thread whenever its last idle one takes a request, so there is one thread
// per concurrent RPC. It serves SHM_ALLOC/SHM_FREE of application buffers (registered, page-aligned
// memory of its own) and plugin calls, dispatched by UUID. The plugins are linked in (upstream
// dlopens them from CFG_TEE_PLUGIN_LOAD_PATH); everything else is TEEC_ERROR_NOT_SUPPORTED.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "emu/linux_tee/process.h"
#include "emu/linux_tee/tee_core.h"

struct plugin_method;

namespace emu::supplicant {

class TeeSupplicant {
 public:
  // Starts serving `teepriv`. `signal` delivers a signal to the process: it wakes the threads
  // sleeping in TEE_IOC_SUPPL_RECV (-EINTR), which is how the supplicant is stopped. Throws
  // std::runtime_error if the device will not take it (another supplicant is attached: EBUSY).
  TeeSupplicant(linux_tee::TeeDevice& teepriv, platform::Memory& mem, std::function<void()> signal);
  // Stops: wakes its waiting threads, waits for those serving a request, then exits the process
  // (closing the device fails whatever was still queued with TEEC_ERROR_COMMUNICATION).
  ~TeeSupplicant();
  TeeSupplicant(const TeeSupplicant&) = delete;
  TeeSupplicant& operator=(const TeeSupplicant&) = delete;

  size_t threads() const;
  uint64_t requests_served() const { return served_.load(); }
  // The plugins it knows, by name.
  static const std::vector<const plugin_method*>& plugins();

 private:
  struct Buffer {
    void* addr = nullptr;
    size_t len = 0;
    int fd = -1;
  };
  void serve();  // one thread's loop
  uint32_t handle(uint32_t func, uint32_t num_params, void* params);
  uint32_t shm_alloc(void* params);
  uint32_t shm_alloc_pool(void* params);
  uint32_t shm_free(void* params);
  uint32_t plugin(uint32_t num_params, void* params);
  uint32_t load_ta(uint32_t num_params, void* params);
  long ioctl(unsigned int cmd, void* arg);

  linux_tee::Process proc_;
  int fd_ = -1;
  bool reg_mem_ = false;  // the device takes TEE_IOC_SHM_REGISTER (TEE_GEN_CAP_REG_MEM)
  linux_tee::TeeDevice& dev_;
  std::function<void()> signal_;
  mutable std::mutex lock_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
  std::map<int, Buffer> shms_;  // by shm id
  std::atomic<uint64_t> served_{0};
};

}  // namespace emu::supplicant
