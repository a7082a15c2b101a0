#include "targets/qemu/qemu_target.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "targets/qemu/console.h"
#include "targets/qemu/initramfs.h"

namespace targets::qemu {
namespace fs = std::filesystem;

namespace {

// The benchmark TA and the tee-supplicant plugin, by UUID (ta/include/bench_ta.h,
// ta/plugin/bench_plugin.h).
constexpr const char* kTaFile = "7eeb3c4a-5a3f-4d1c-9c3e-6a1b2c3d4e5f.ta";
constexpr const char* kPluginFile = "5a1c0e3e-7eeb-4b8f-9d1a-62656e636870.plugin";

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string arm64_build_dir() {
  return env_or("TEEBENCH_ARM64_BUILD", std::string(TEEBENCH_SOURCE_DIR) + "/build-arm64");
}

std::string run_capture(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

// Debian's kernel, base initramfs and U-Boot environment (scripts/qemu/make-guest.sh, which
// does nothing when they are already there).
std::string guest_dir() {
  const std::string dir =
      env_or("TEEBENCH_QEMU_GUEST", env_or("HOME", "/root") + "/.cache/teebench/qemu-guest");
  const std::string cmd =
      std::string("'") + TEEBENCH_SOURCE_DIR + "/scripts/qemu/make-guest.sh' '" + dir + "' >&2";
  if (std::system(cmd.c_str()) != 0 || !fs::exists(dir + "/complete"))
    throw std::runtime_error("the qemu target's guest (Debian arm64 kernel, initramfs) is not in " +
                             dir + ": run scripts/setup.sh, then scripts/qemu/make-guest.sh");
  return dir;
}

std::string require(const std::string& path, const std::string& what) {
  if (!fs::exists(path))
    throw std::runtime_error(
        what + " not found at " + path +
        ": build it with `cmake --preset arm64 && cmake --build --preset arm64`"
        " (after scripts/setup.sh)");
  return path;
}

// The TA kinds' make names (ta/Makefile), each its own .ta (docs/ta.md).
constexpr const char* kTaKinds[] = {"multi_instance", "single_instance", "multi_session",
                                    "keep_alive", "concurrent"};

// The folder of TAs built with the dev kit of the OP-TEE that boots, every kind: from the arm64
// build for a fixture release, else built now with the firmware's own dev kit.
std::string ta_for(const Firmware& fw, const std::string& scratch) {
  const std::string built = arm64_build_dir() + "/ta/optee-" + fw.name;
  if (fs::exists(built + "/" + kTaFile)) return built;
  if (!fw.dev_kit.empty()) {
    const std::string out = scratch + "/ta";
    std::string key = fw.dev_kit + "/keys/default_ta.pem";
    // A dev kit copied without symlinks holds the name "default.pem" in default_ta.pem.
    std::string head(5, '\0');
    std::ifstream(key).read(head.data(), 5);
    if (head != "-----") key = fw.dev_kit + "/keys/default.pem";
    for (const char* kind : kTaKinds) {
      const std::string cmd = std::string("make -s -C '") + TEEBENCH_SOURCE_DIR +
                              "/ta' CROSS_COMPILE=aarch64-linux-gnu- TA_DEV_KIT_DIR='" +
                              fw.dev_kit + "' TA_SIGN_KEY='" + key + "' O='" + out + "/" + kind +
                              "' TEEBENCH_TA_KIND=" + kind + " >&2 && cp '" + out + "/" + kind +
                              "'/*.ta '" + out + "/'";
      if (std::system(cmd.c_str()) != 0)
        throw std::runtime_error(
            "cannot build the " + std::string(kind) + " benchmark TA with " + fw.dev_kit +
            " (aarch64-linux-gnu-gcc and python3-cryptography: scripts/setup.sh)");
    }
    return out;
  }
  // No dev kit beside a user's firmware: TAs built with another release's kit (the TA ABI is
  // stable across releases), said plainly.
  std::string newest;
  if (fs::is_directory(arm64_build_dir() + "/ta"))
    for (const auto& e : fs::directory_iterator(arm64_build_dir() + "/ta"))
      if (fs::exists(e.path() / kTaFile) && e.path().string() > newest) newest = e.path().string();
  if (newest.empty())
    throw std::runtime_error("firmware " + fw.name +
                             " has no TA dev kit (export-ta_arm64) beside it and the arm64 build "
                             "has no TA: put its export-ta_arm64 folder next to flash.bin");
  std::fprintf(stderr,
               "qemu: %s has no TA dev kit beside it; using the TAs built with %s (put its "
               "export-ta_arm64 next to flash.bin to build them with its own)\n",
               fw.name.c_str(), fs::path(newest).filename().c_str());
  return newest;
}

// Ctrl-C (or a SIGTERM from a job runner) while the guest runs: the host keeps control long
// enough to stop QEMU and keep what came home, instead of dying with the checkpoints unannotated.
volatile sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

// The handlers for the time QEMU runs; the previous ones come back on destruction.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptGuard() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// /teebench/run.sh: the command, its stderr relayed line by line with a prefix so the host can
// tell it from stdout on the one console.
std::string run_script(const GuestCommand& c) {
  std::string cmd = c.program;
  for (const auto& a : c.argv) cmd += " " + shell_quote(a);
  std::string env;
  for (const auto& [k, v] : c.env) env += "export " + k + "=" + shell_quote(v) + "\n";
  return "#!/bin/sh\ncd /tmp\n" + env +
         "mkfifo /tmp/stderr\n"
         "sed 's/^/@@teebench stderr /' < /tmp/stderr &\n" +
         cmd + " 2>/tmp/stderr\nrc=$?\nwait\nexit $rc\n";
}

std::string build_initrd(const std::string& guest, const GuestCommand& cmd, const std::string& ta,
                         const std::string& scratch) {
  Initramfs cpio;
  const std::string arm64 = arm64_build_dir();
  cpio.add_host_file("/usr/bin/teebench", require(arm64 + "/app/teebench", "teebench for arm64"));
  // Every TA kind the folder holds, so a workload can choose its `ta`.
  for (const auto& e : fs::directory_iterator(ta))
    if (e.path().extension() == ".ta")
      cpio.add_host_file("/lib/optee_armtz/" + e.path().filename().string(), e.path().string(),
                         0444);
  const std::string plugin = arm64 + "/ta/plugin/" + kPluginFile;
  cpio.add_host_file(std::string("/usr/lib/tee-supplicant/plugins/") + kPluginFile,
                     require(plugin, "the tee-supplicant plugin for arm64"), 0755);
  for (const char* d : {"/usr/share", "/usr/share/teebench", "/usr/share/teebench/workloads"})
    cpio.add_dir(d);
  for (const auto& e : fs::directory_iterator(std::string(TEEBENCH_SOURCE_DIR) + "/workloads"))
    if (e.path().extension() == ".json")
      cpio.add_host_file("/usr/share/teebench/workloads/" + e.path().filename().string(),
                         e.path().string(), 0644);
  for (const auto& [guest_path, host_path] : cmd.files)
    cpio.add_host_file(guest_path, host_path, guest_path.rfind("/usr/bin/", 0) == 0 ? 0755 : 0644);
  cpio.add_file("/teebench/run.sh", run_script(cmd), 0755);
  std::ifstream base_in(guest + "/initramfs.cpio.gz", std::ios::binary);
  std::string base{std::istreambuf_iterator<char>(base_in), std::istreambuf_iterator<char>()};
  // Linux takes an uncompressed archive only at a 4-byte aligned offset and skips NULs between
  // archives (init/initramfs.c unpack_to_rootfs): pad the compressed base to 512 bytes.
  base.resize((base.size() + 511) / 512 * 512, '\0');
  const std::string path = scratch + "/initrd.img";
  std::ofstream out(path, std::ios::binary);
  out << base << cpio.finish();
  if (!out) throw std::runtime_error(path + ": cannot write the initramfs");
  return path;
}

}  // namespace

std::vector<std::string> QemuOptions::qemu_args() const {
  std::string machine = "virt,secure=on,acpi=off,gic-version=3,virtualization=off";
  // No KASLR/ASLR seeds in the DTB: both worlds lay out the same way every boot, which the
  // icount mode needs to repeat itself exactly.
  if (icount) machine += ",dtb-randomness=off";
  std::vector<std::string> a = {"-M",   machine,
                                "-cpu", "cortex-a57",
                                "-smp", std::to_string(icount ? 1u : smp),
                                "-m",   std::to_string(memory_mb)};
  // With two vCPUs and icount QEMU 7.2 can stop running the vCPU that holds an OP-TEE spinlock
  // (the fixture's measurements): icount always runs one.
  if (icount) a.insert(a.end(), {"-icount", "shift=0,sleep=off,align=off"});
  return a;
}

QemuOptions parse_options(const std::string& arg, const std::string& scratch) {
  QemuOptions o;
  std::string firmware;
  size_t pos = 0;
  bool first = true;
  while (pos <= arg.size()) {
    const size_t comma = arg.find(',', pos);
    const std::string part =
        arg.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? arg.size() + 1 : comma + 1;
    auto num = [&](const std::string& key, double lo, double hi) {
      char* end = nullptr;
      const std::string v = part.substr(key.size() + 1);
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || x < lo || x > hi)
        throw std::runtime_error("--target qemu:" + arg + ": " + key + "=" + v + " is not in " +
                                 std::to_string(static_cast<long>(lo)) + ".." +
                                 std::to_string(static_cast<long>(hi)));
      return x;
    };
    if (part == "icount")
      o.icount = true;
    else if (part.rfind("smp=", 0) == 0)
      o.smp = static_cast<unsigned>(num("smp", 1, 4));
    else if (part.rfind("mem=", 0) == 0)
      o.memory_mb = static_cast<unsigned>(num("mem", 256, 4096));
    else if (part.rfind("timeout=", 0) == 0)
      o.silence_timeout_s = num("timeout", 10, 86400);
    else if (part.rfind("boot_timeout=", 0) == 0)
      o.boot_timeout_s = num("boot_timeout", 5, 3600);
    else if (first)
      firmware = part;
    else
      throw std::runtime_error("--target qemu:" + arg + ": unknown option '" + part +
                               "' (FIRMWARE,icount,smp=N,mem=MB,timeout=S,boot_timeout=S)");
    first = false;
  }
  o.firmware = resolve_firmware(firmware, scratch);
  return o;
}

void describe_to_guest(const QemuOptions& opts, GuestCommand* cmd) {
  const auto& fw = opts.firmware;
  cmd->env.emplace_back("TEEBENCH_WORKLOAD_DIR", "/usr/share/teebench/workloads");
  cmd->env.emplace_back("TEEBENCH_QEMU_FIRMWARE", fw.name + " (" + fw.flash_bin + ", sha256 " +
                                                      fw.sha256.substr(0, 16) + ")");
  std::string q;
  for (const auto& a : opts.qemu_args()) q += (q.empty() ? "" : " ") + a;
  cmd->env.emplace_back("TEEBENCH_QEMU", q + (opts.icount ? " [deterministic: guest instruction "
                                                            "counts, not latency]"
                                                          : " [TCG wall clock: not board timing]"));
  if (!fw.dev_kit.empty()) {
    cmd->files.emplace_back("/usr/share/teebench/optee-conf.h",
                            fw.dev_kit + "/host_include/conf.h");
    cmd->env.emplace_back("TEEBENCH_OPTEE_CONF", "/usr/share/teebench/optee-conf.h");
  }
}

GuestRun run_in_guest(const QemuOptions& opts, const GuestCommand& cmd, const std::string& out_dir,
                      const std::string& log_dir,
                      std::function<void(const nlohmann::json&)> on_results) {
  fs::create_directories(log_dir);
  const std::string scratch = log_dir + "/.qemu-scratch";
  fs::create_directories(scratch);
  GuestRun run;
  const std::string guest = guest_dir();
  run.ta_path = ta_for(opts.firmware, scratch);
  const std::string initrd = build_initrd(guest, cmd, run.ta_path, scratch);
  run.qemu_version = run_capture("qemu-system-aarch64 --version | head -n 1");
  while (!run.qemu_version.empty() && run.qemu_version.back() == '\n') run.qemu_version.pop_back();
  if (run.qemu_version.empty())
    throw std::runtime_error(
        "qemu-system-aarch64 not found: run scripts/setup.sh (qemu-system-arm)");

  std::vector<std::string> args = {"qemu-system-aarch64"};
  for (auto& a : opts.qemu_args()) args.push_back(a);
  for (const std::string& a :
       {std::string("-display"), std::string("none"), std::string("-monitor"), std::string("none"),
        // The virt machine's default NIC needs an option ROM Debian packages apart; no network.
        std::string("-nic"), std::string("none"), std::string("-serial"), std::string("stdio"),
        std::string("-serial"), "file:" + log_dir + "/secure.log", std::string("-bios"),
        opts.firmware.flash_bin, std::string("-drive"),
        "if=pflash,unit=1,format=raw,readonly=on,file=" + guest + "/uboot-env.bin",
        std::string("-kernel"), guest + "/Image", std::string("-initrd"), initrd,
        std::string("-append"), std::string("console=ttyAMA0,115200 rdinit=/init panic=-1"),
        std::string("-no-reboot")})
    args.push_back(a);
  run.qemu_args.assign(args.begin() + 1, args.end());

  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    const int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    std::vector<char*> cargs;
    for (auto& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    ::execvp(cargs[0], cargs.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);

  Console console(log_dir + "/console.log", out_dir, std::move(on_results));
  bool timed_out = false;
  bool stop_sent = false;
  InterruptGuard interrupts;
  for (;;) {
    if (g_interrupted && !stop_sent) {
      // A terminal's Ctrl-C reached QEMU too (same process group); a signal sent to teebench
      // alone did not: stop it either way and read what it still prints until it has gone.
      ::kill(pid, SIGTERM);
      stop_sent = true;
    }
    const double limit = console.started() ? opts.silence_timeout_s : opts.boot_timeout_s;
    pollfd p{pipefd[0], POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(limit * 1000));
    if (r == 0) {
      timed_out = true;
      run.error = console.started()
                      ? "the guest printed nothing for " + std::to_string(static_cast<int>(limit)) +
                            " s: hung (OP-TEE or the kernel stopped answering)"
                      : "the guest did not reach the command within " +
                            std::to_string(static_cast<int>(limit)) + " s of boot";
      ::kill(pid, SIGKILL);
      break;
    }
    if (r < 0) continue;  // EINTR
    char buf[65536];
    const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n <= 0) break;
    console.feed(std::string_view(buf, static_cast<size_t>(n)));
  }
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  console.finish();
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  run.completed = console.exited();
  run.exit_code = console.exit_code();
  run.results = console.results_unpacked();
  run.checkpoints = console.checkpoints();
  run.tee0_s = console.tee0_s();
  run.kernel = console.kernel();
  run.optee_log = console.optee_log();
  run.interrupted = g_interrupted != 0;
  if (run.interrupted)
    run.error = "interrupted (SIGINT or SIGTERM): QEMU was stopped";
  else if (!timed_out && !run.completed)
    run.error = console.error().empty()
                    ? "QEMU ended before the command finished (kernel panic, or OP-TEE stopped: "
                      "see secure.log)"
                    : console.error();
  if (run.completed && !console.results_error().empty()) run.error = console.results_error();
  fs::remove_all(scratch);
  return run;
}

}  // namespace targets::qemu
