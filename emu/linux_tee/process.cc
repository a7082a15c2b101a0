#include "emu/linux_tee/process.h"

#include <pthread.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace emu::linux_tee {
namespace {

// The calling thread's stack, which is certainly mapped: ioctl argument structs usually live there.
struct StackRange {
  uintptr_t lo = 0;
  uintptr_t hi = 0;
};

const StackRange& this_stack() {
  thread_local StackRange r = [] {
    StackRange s;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      void* addr = nullptr;
      size_t size = 0;
      if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        s.lo = reinterpret_cast<uintptr_t>(addr);
        s.hi = s.lo + size;
      }
      pthread_attr_destroy(&attr);
    }
    return s;
  }();
  return r;
}

bool on_live_stack(uintptr_t addr, size_t n) {
  const StackRange& s = this_stack();
  const auto sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  // Between our own frame and the top of the stack: mapped and in use.
  return addr >= sp && addr >= s.lo && addr + n >= addr && addr + n <= s.hi;
}

}  // namespace

long File::mmap(Process&, size_t, std::shared_ptr<File>, void**) { return -ENODEV; }

Process::Process(platform::Memory& mem) : mm_(mem) {}

Process::~Process() { exit(); }

int Process::install_fd(std::shared_ptr<File> f) {
  std::lock_guard g(lock_);
  for (size_t fd = 3; fd < kMaxFds; ++fd) {
    if (fd >= fds_.size()) fds_.resize(fd + 1);
    if (!fds_[fd]) {
      fds_[fd] = std::move(f);
      return static_cast<int>(fd);
    }
  }
  return -EMFILE;
}

std::shared_ptr<File> Process::get_file(int fd) const {
  std::lock_guard g(lock_);
  if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return nullptr;
  return fds_[fd];
}

int Process::close_fd(int fd) {
  std::shared_ptr<File> f;
  {
    std::lock_guard g(lock_);
    if (fd < 0 || static_cast<size_t>(fd) >= fds_.size() || !fds_[fd]) return -EBADF;
    f = std::move(fds_[fd]);
  }
  f.reset();  // fput outside the table lock: the release may call into the TEE
  return 0;
}

void Process::exit() {
  // do_exit(): the address space goes first (exit_mm), then the files in fd order (exit_files).
  mm_.unmap_all();
  for (;;) {
    std::shared_ptr<File> f;
    {
      std::lock_guard g(lock_);
      size_t fd = 0;
      while (fd < fds_.size() && !fds_[fd]) ++fd;
      if (fd == fds_.size()) break;
      f = std::move(fds_[fd]);
    }
  }
}

size_t Process::open_fd_count() const {
  std::lock_guard g(lock_);
  size_t n = 0;
  for (const auto& f : fds_) n += f != nullptr;
  return n;
}

int Process::copy_from_user(void* dst, uintptr_t user, size_t n) const {
  if (n == 0) return 0;
  if (on_live_stack(user, n) || mm_.contains(user, n)) {
    std::memcpy(dst, reinterpret_cast<const void*>(user), n);
    return 0;
  }
  // Any other address is read with the kernel's fault-safe copy, so a wild pointer is -EFAULT.
  iovec local{dst, n};
  iovec remote{reinterpret_cast<void*>(user), n};
  return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == static_cast<ssize_t>(n) ? 0
                                                                                         : -EFAULT;
}

int Process::copy_to_user(uintptr_t user, const void* src, size_t n) const {
  if (n == 0) return 0;
  if (on_live_stack(user, n) || mm_.contains(user, n)) {
    std::memcpy(reinterpret_cast<void*>(user), src, n);
    return 0;
  }
  iovec local{const_cast<void*>(src), n};
  iovec remote{reinterpret_cast<void*>(user), n};
  return process_vm_writev(getpid(), &local, 1, &remote, 1, 0) == static_cast<ssize_t>(n) ? 0
                                                                                          : -EFAULT;
}

}  // namespace emu::linux_tee
