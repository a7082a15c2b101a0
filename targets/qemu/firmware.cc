#include "targets/qemu/firmware.h"

#include "targets/optee_conf.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <vector>

namespace targets::qemu {
namespace fs = std::filesystem;

namespace {

// QEMU's virt machine maps flash0 (secure, the BIOS) as 64 MiB; TF-A's qemu platform looks for
// the FIP at 256 KiB into it (plat/qemu: PLAT_QEMU_FIP_BASE).
constexpr size_t kFipOffset = 256 * 1024;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string flash_from_parts(const fs::path& dir, const std::string& scratch) {
  const std::string bl1 = read_all(dir / "bl1.bin");
  const std::string fip = read_all(dir / "fip.bin");
  if (bl1.empty() || fip.empty())
    throw std::runtime_error(dir.string() + ": needs flash.bin, or bl1.bin and fip.bin");
  if (bl1.size() > kFipOffset)
    throw std::runtime_error(dir.string() + "/bl1.bin is larger than 256 KiB");
  std::string img = bl1;
  img.resize(kFipOffset, '\0');
  img += fip;
  fs::create_directories(scratch);
  const fs::path out = fs::path(scratch) / "flash.bin";
  std::ofstream(out, std::ios::binary) << img;
  return out.string();
}

}  // namespace

std::string fixture_dir() {
  if (const char* e = std::getenv("TEEBENCH_QEMU_FIXTURE"); e && *e) return e;
  // shared/qemu-optee beside the source tree or beside any folder above it (a CI clone may sit
  // deeper than the usual checkout).
  for (fs::path p = fs::path(TEEBENCH_SOURCE_DIR); p.has_relative_path(); p = p.parent_path())
    if (fs::is_directory(p.parent_path() / "shared" / "qemu-optee"))
      return (p.parent_path() / "shared" / "qemu-optee").string();
  return {};
}

std::string sha256_file(const std::string& path) {
  // coreutils' sha256sum: no hashing library is a dependency of the project for one digest.
  const std::string cmd = "sha256sum '" + path + "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return {};
  char buf[65] = {};
  const size_t n = std::fread(buf, 1, 64, p);
  ::pclose(p);
  return n == 64 ? std::string(buf, 64) : std::string();
}

Firmware resolve_firmware(const std::string& spec, const std::string& scratch) {
  Firmware fw;
  fs::path dir;
  const std::string fixture = fixture_dir();
  if (spec.empty() || std::regex_match(spec, std::regex(R"(\d+\.\d+\.\d+)"))) {
    if (fixture.empty())
      throw std::runtime_error(
          "--target qemu" + (spec.empty() ? std::string() : ":" + spec) +
          ": no OP-TEE fixture found; set TEEBENCH_QEMU_FIXTURE to a folder with optee-<version>/"
          "flash.bin, or give a firmware path: --target qemu:PATH/flash.bin");
    std::string version = spec;
    if (version.empty()) {  // the newest release the fixture holds
      for (const auto& e : fs::directory_iterator(fixture)) {
        const std::string n = e.path().filename().string();
        if (n.rfind("optee-", 0) == 0 && fs::exists(e.path() / "flash.bin") &&
            n.substr(6) > version)
          version = n.substr(6);
      }
    }
    dir = fs::path(fixture) / ("optee-" + version);
    if (!fs::exists(dir / "flash.bin"))
      throw std::runtime_error("--target qemu:" + spec + ": the fixture (" + fixture +
                               ") has no OP-TEE " + version);
    fw.name = version;
    fw.flash_bin = (dir / "flash.bin").string();
  } else {
    const fs::path p(spec);
    if (fs::is_regular_file(p)) {
      fw.flash_bin = fs::absolute(p).string();
      dir = fs::absolute(p).parent_path();
    } else if (fs::is_directory(p)) {
      dir = fs::absolute(p);
      fw.flash_bin = fs::exists(dir / "flash.bin") ? (dir / "flash.bin").string()
                                                   : flash_from_parts(dir, scratch);
    } else {
      throw std::runtime_error("--target qemu:" + spec +
                               ": no such release or file; use a version the fixture holds "
                               "(e.g. 4.9.0), a flash.bin, or a folder with bl1.bin and fip.bin");
    }
    fw.name = spec;
  }
  if (fs::exists(dir / "export-ta_arm64" / "host_include" / "conf.h")) {
    fw.dev_kit = (dir / "export-ta_arm64").string();
    fw.config = read_optee_conf(fw.dev_kit + "/host_include/conf.h");
    if (fw.config.count("CFG_OPTEE_REVISION_MAJOR") && fw.config.count("CFG_OPTEE_REVISION_MINOR"))
      fw.version =
          fw.config["CFG_OPTEE_REVISION_MAJOR"] + "." + fw.config["CFG_OPTEE_REVISION_MINOR"];
  }
  fw.sha256 = sha256_file(fw.flash_bin);
  return fw;
}

}  // namespace targets::qemu
