// The emulated OP-TEE stack as a device: one emulated client process on an emulated machine.
// The UAPI structs are handed to the emulated kernel unchanged.
#pragma once

#include <memory>

#include "emu/linux_tee/process.h"
#include "emu/machine.h"
#include "teebench/tee/device.h"

namespace targets {

class EmuDevice final : public client::Device {
 public:
  // A new process on `machine`, in `kernel` (a guest's; the machine's first kernel if null).
  // Several devices may share one machine (several processes).
  explicit EmuDevice(std::shared_ptr<emu::Machine> machine,
                     std::shared_ptr<emu::Kernel> kernel = nullptr);
  ~EmuDevice() override;
  std::string name() const override { return "emu"; }
  int open() override;
  int ioctl(int fd, unsigned long request, void* arg) override;
  int close(int fd) override;
  void* mmap(int fd, size_t len, int* err) override;
  int munmap(void* addr, size_t len) override;
  void* alloc_user(size_t len, int* err) override;
  void free_user(void* addr, size_t len) override;

  // The process dies (as by SIGKILL): its memory and then every fd are released, in ascending
  // order, without answering anything pending. Calls already inside the kernel finish first.
  void kill() { process_->exit(); }

  emu::Machine& machine() { return *machine_; }
  emu::Kernel& kernel() { return *kernel_; }
  emu::linux_tee::Process& process() { return *process_; }

 private:
  std::shared_ptr<emu::Machine> machine_;
  std::shared_ptr<emu::Kernel> kernel_;  // outlives the process, whose memory it provides
  std::unique_ptr<emu::linux_tee::Process> process_;
};

}  // namespace targets
