#include "targets/qemu/initramfs.h"

#include <fmt/format.h>

#include <fstream>
#include <stdexcept>

namespace targets::qemu {
namespace {

void pad4(std::string& s) {
  while (s.size() % 4) s.push_back('\0');
}

}  // namespace

// newc: a 110-byte ASCII header of 13 eight-digit hex fields after the magic "070701", the
// NUL-terminated name, padding to 4 bytes, the data, padding to 4 bytes (Linux
// Documentation/driver-api/early-userspace/buffer-format.rst). Mtimes are 0 so the same inputs
// give the same bytes.
void Initramfs::entry(const std::string& path, unsigned mode, const std::string& data) {
  const std::string name = path.front() == '/' ? path.substr(1) : path;
  bytes_ += fmt::format(
      "070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}"
      "{:08x}{:08x}",
      ino_++, mode, 0, 0, 1, 0, data.size(), 0, 0, 0, 0, name.size() + 1, 0);
  bytes_ += name;
  bytes_.push_back('\0');
  pad4(bytes_);
  bytes_ += data;
  pad4(bytes_);
}

void Initramfs::add_dir(const std::string& path) { entry(path, 0040755, {}); }

void Initramfs::add_file(const std::string& path, const std::string& contents, unsigned mode) {
  entry(path, 0100000 | mode, contents);
}

void Initramfs::add_host_file(const std::string& path, const std::string& host_path,
                              unsigned mode) {
  std::ifstream in(host_path, std::ios::binary);
  if (!in) throw std::runtime_error(host_path + ": cannot read");
  add_file(path, {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}, mode);
}

std::string Initramfs::finish() const {
  Initramfs t = *this;
  t.entry("TRAILER!!!", 0, {});
  while (t.bytes_.size() % 512) t.bytes_.push_back('\0');
  return t.bytes_;
}

}  // namespace targets::qemu
