// Which real OP-TEE the qemu target boots: a release of the fixture (docs/targets.md), or a
// user's own qemu_v8 build output. Resolved up front so a wrong path is a one-line error.
#pragma once

#include <map>
#include <string>

namespace targets::qemu {

struct Firmware {
  std::string name;       // "4.9.0", or the path the user gave
  std::string flash_bin;  // TF-A BL1 at 0 + FIP at 256 KiB (built here from bl1.bin + fip.bin)
  std::string dev_kit;    // export-ta_arm64 next to it, "" if none
  std::string version;    // OP-TEE release, from the dev kit's build config; "" if unknown
  std::string sha256;     // of flash_bin
  // CFG_* values of the OP-TEE build (export-ta_arm64/host_include/conf.h), where known.
  std::map<std::string, std::string> config;
};

// The folder that holds the fixture's releases (optee-4.9.0/, optee-4.0.0/):
// $TEEBENCH_QEMU_FIXTURE, else shared/qemu-optee beside the source tree or a folder above it.
// "" if none.
std::string fixture_dir();
// FIRMWARE as given to --target qemu:FIRMWARE ("" = the newest release in the fixture).
// `scratch` receives a flash.bin assembled from bl1.bin + fip.bin. Throws std::runtime_error.
Firmware resolve_firmware(const std::string& spec, const std::string& scratch);
std::string sha256_file(const std::string& path);

}  // namespace targets::qemu
