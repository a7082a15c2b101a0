// A cpio archive in the kernel's "newc" format: the per-run files the qemu target appends to the
// base initramfs (Linux unpacks concatenated archives in order; later files win). Written here
// rather than through cpio(1) so that the host needs nothing beyond QEMU at run time.
#pragma once

#include <string>
#include <vector>

namespace targets::qemu {

class Initramfs {
 public:
  void add_dir(const std::string& path);
  void add_file(const std::string& path, const std::string& contents, unsigned mode = 0644);
  // Adds the file at `host_path` (throws std::runtime_error if unreadable).
  void add_host_file(const std::string& path, const std::string& host_path, unsigned mode = 0755);
  // The archive with its trailer.
  std::string finish() const;

 private:
  void entry(const std::string& path, unsigned mode, const std::string& data);
  std::string bytes_;
  unsigned ino_ = 1;
};

}  // namespace targets::qemu
