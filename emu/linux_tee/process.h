// The slice of a Linux process the TEE subsystem touches: the fd table (struct file refcounts),
// user memory (an AddressSpace of emulated physical pages) and copy_{from,to}_user.
// An emulated client process dies by Process::exit(), which releases every fd in ascending order
// without answering anything pending, as do_exit() -> close_files() does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "emu/platform/address_space.h"

namespace emu::linux_tee {

class Process;

// An open file description. Released (destroyed) when the last fd and the last mapping drop it.
class File {
 public:
  virtual ~File() = default;
  virtual long ioctl(Process& p, unsigned int cmd, uintptr_t arg) = 0;
  // mmap(2) of `len` bytes at page offset 0: maps into p's address space.
  virtual long mmap(Process& p, size_t len, std::shared_ptr<File> self, void** addr);
};

class Process {
 public:
  explicit Process(platform::Memory& mem);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  int install_fd(std::shared_ptr<File> f);  // lowest free fd >= 3, or -EMFILE
  std::shared_ptr<File> get_file(int fd) const;
  int close_fd(int fd);
  // do_exit(): closes every fd in ascending order and drops the address space.
  void exit();
  size_t open_fd_count() const;

  platform::AddressSpace& mm() { return mm_; }
  platform::Memory& mem() { return mm_.mem(); }
  // -EFAULT if [user, user+n) is not readable / writable memory of this process.
  int copy_from_user(void* dst, uintptr_t user, size_t n) const;
  int copy_to_user(uintptr_t user, const void* src, size_t n) const;

 private:
  static constexpr int kMaxFds = 4096;
  mutable std::mutex lock_;
  std::vector<std::shared_ptr<File>> fds_;
  platform::AddressSpace mm_;
};

}  // namespace emu::linux_tee
