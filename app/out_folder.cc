#include "app/out_folder.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "reports/results.h"

namespace app {
namespace fs = std::filesystem;

OutFolder::~OutFolder() {
  // The file stays: removing it while another run has it open would let two runs lock two
  // different files of the same name.
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string OutFolder::claim(const std::string& dir, bool replace) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fmt::format("--out {}: cannot create the folder: {}", dir, ec.message());
  try {
    reports::write_atomic((fs::path(dir) / ".write-test").string(), "ok\n");
    fs::remove(fs::path(dir) / ".write-test");
  } catch (const std::exception& e) {
    return fmt::format("--out {}: not writable ({}); pick another folder with --out", dir,
                       e.what());
  }
  // An advisory lock (flock) dies with its process, so a killed run never leaves the folder
  // locked; the file only says which process holds it.
  lock_path_ = (fs::path(dir) / ".teebench.lock").string();
  lock_fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return fmt::format("--out {}: cannot create its lock file", dir);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    std::string holder;
    std::getline(std::ifstream(lock_path_), holder);
    ::close(lock_fd_);
    lock_fd_ = -1;
    return fmt::format(
        "--out {}: another teebench run ({}) is writing there; wait for it to end or pick "
        "another folder with --out",
        dir, holder.empty() ? "pid unknown" : holder);
  }
  const std::string me = fmt::format("pid {}", ::getpid());
  if (::ftruncate(lock_fd_, 0) != 0 || ::write(lock_fd_, me.data(), me.size()) < 0) {
    // The lock holds without the note; only the message to a second run loses the pid.
  }
  if (!replace && fs::exists(fs::path(dir) / "results.json", ec))
    return fmt::format(
        "--out {}: it already holds a run's results.json; pick another folder with --out, or "
        "add --force to replace it",
        dir);
  return {};
}

}  // namespace app
