// The run's output folder: created and proved writable before anything is measured, locked so
// that two runs cannot interleave their checkpoints in it, and never silently overwritten.
#pragma once

#include <string>

namespace app {

class OutFolder {
 public:
  OutFolder() = default;
  OutFolder(const OutFolder&) = delete;
  OutFolder& operator=(const OutFolder&) = delete;
  ~OutFolder();

  // Returns a one-line error naming the folder and the fix ("" when the folder is ours).
  // `replace`: a results.json already there may be overwritten (--force).
  std::string claim(const std::string& dir, bool replace);

 private:
  std::string lock_path_;
  int lock_fd_ = -1;
};

}  // namespace app
