// The qemu target against the real OP-TEE of the fixture: each test boots QEMU once (4-20 s) and
// runs teebench inside, as a user would. Skipped, with the reason, where QEMU, the fixture or the
// arm64 build is missing; scripts/test.sh provides all three, so in CI they run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>

#include "targets/qemu/firmware.h"
#include "targets/qemu/qemu_target.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Out {
  int code = -1;
  std::string text;  // stdout and stderr
};

Out teebench(const std::string& args) {
  Out o;
  const std::string cmd = std::string(TEEBENCH_BIN) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) o.text.append(buf, n);
  const int st = ::pclose(p);
  o.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return o;
}

std::string missing() {
  if (std::system("qemu-system-aarch64 --version >/dev/null 2>&1") != 0)
    return "qemu-system-aarch64 is not installed (scripts/setup.sh installs qemu-system-arm)";
  if (targets::qemu::fixture_dir().empty())
    return "no OP-TEE fixture (set TEEBENCH_QEMU_FIXTURE to a folder with optee-<version>/)";
  if (!fs::exists(std::string(TEEBENCH_ARM64_BUILD) + "/app/teebench"))
    return "no arm64 build (cmake --preset arm64 && cmake --build --preset arm64)";
  return {};
}

#define REQUIRE_QEMU()                            \
  if (const auto why = missing(); !why.empty()) { \
    GTEST_SKIP() << why;                          \
  }

std::string out_dir(const std::string& name) {
  const std::string d = ::testing::TempDir() + "/qemu-" + name;
  fs::remove_all(d);
  return d;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

const json* find_op(const json& c, const std::string& group, const std::string& op) {
  for (const auto& o : c["operations"])
    if (o["group"] == group && o["op"] == op) return &o;
  return nullptr;
}

TEST(QemuTarget, InfoShowsTheRealDevice) {
  REQUIRE_QEMU();
  const auto o = teebench("info --target qemu --json");
  ASSERT_EQ(o.code, 0) << o.text;
  const json j =
      json::parse(o.text.substr(o.text.find('{'), o.text.rfind('}') - o.text.find('{') + 1));
  EXPECT_EQ(j["impl_id"], 1);
  EXPECT_EQ(j["stack"]["optee_revision"]["value"], "4.9");
  EXPECT_EQ(j["stack"]["secure_threads"]["value"], "2");  // CFG_NUM_THREADS of the fixture build
  EXPECT_EQ(j["stack"]["driver"]["value"], "pre-6.8");    // Debian 12's Linux 6.1
  EXPECT_NE(j["gen_caps_names"].dump().find("TEE_GEN_CAP_REG_MEM"), std::string::npos);
}

TEST(QemuTarget, OlderReleaseBootsWithItsOwnTa) {
  REQUIRE_QEMU();
  if (!fs::exists(targets::qemu::fixture_dir() + "/optee-4.0.0/flash.bin"))
    GTEST_SKIP() << "the fixture has no OP-TEE 4.0.0";
  const auto o = teebench("smoke --target qemu:4.0.0 --invokes 500 --callers 4");
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("all checks passed"), std::string::npos) << o.text;
}

TEST(QemuTarget, ShortReleaseRunComesHome) {
  REQUIRE_QEMU();
  const std::string dir = out_dir("short");
  // With the metrics the host's teebench writes from what the guest streams home.
  const auto o = teebench("run qemu-short --target qemu --out " + dir + " --textfile " + dir +
                          "/teebench.prom --label board=qemu-v8");
  ASSERT_EQ(o.code, 0) << o.text;
  const json r = read_json(dir + "/results.json");
  EXPECT_EQ(r["status"], "complete");
  {
    std::ifstream in(dir + "/teebench.prom");
    const std::string prom((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(
        prom.find(
            "teebench_run_running{board=\"qemu-v8\",optee_version=\"4.9\",target=\"qemu\"} 0"),
        std::string::npos)
        << prom.substr(0, 2000);
    EXPECT_NE(
        prom.find("teebench_calls_total{board=\"qemu-v8\",case=\"shm: memory=static size=4K\""),
        std::string::npos);
  }
  EXPECT_EQ(r["context"]["target"], "qemu");
  EXPECT_EQ(r["context"]["qemu"]["firmware"], "4.9.0");
  EXPECT_EQ(r["context"]["device"]["optee_revision"], "4.9");
  EXPECT_TRUE(fs::exists(dir + "/console.log"));
  EXPECT_TRUE(fs::exists(dir + "/secure.log"));
  bool plugin = false, ocall_skipped = false, registered = false;
  for (const auto& c : r["cases"]) {
    if (const auto* op = find_op(c, "rt", "plugin"); op && (*op)["count"] > 0) {
      plugin = true;
      EXPECT_EQ((*op)["errors"].size(), 0u) << op->dump();
    }
    if (const auto* op = find_op(c, "io", "memref_read"); op && (*op)["count"] > 0)
      registered = true;
    for (const auto& v : c["verdicts"]) {
      if (v["name"] == "skipped/rt" &&
          v["detail"].get<std::string>().find("not upstream") != std::string::npos)
        ocall_skipped = true;
      // Invariants hold on the real stack too.
      if (v["name"] == "no_lost_calls" || v["name"] == "client_failure") {
        EXPECT_EQ(v["outcome"], "pass") << v.dump();
      }
    }
  }
  EXPECT_TRUE(plugin) << "no plugin round trip completed through the real tee-supplicant";
  EXPECT_TRUE(registered);
  EXPECT_TRUE(ocall_skipped) << "the OCALL cases must be skipped with their reason";
}

// Every TA kind (docs/ta.md) is built with the dev kit, installed and accepted by the real OP-TEE,
// and the real stack shows what the emulator cannot: a keep-alive instance outlives its session,
// so reopening it skips the TA load (supplicant read, signature check, mapping) that a TA
// destroyed with its last session pays on every open.
TEST(QemuTarget, EveryTaKindOpensOnTheRealOpTeeAndKeepAliveSkipsTheLoad) {
  REQUIRE_QEMU();
  const std::string dir = out_dir("ta-kinds");
  const std::string workload = std::string(TEEBENCH_SOURCE_DIR) + "/tests/qemu/ta-kinds.json";
  const auto o = teebench("run " + workload + " --target qemu --out " + dir);
  ASSERT_EQ(o.code, 0) << o.text;
  const json r = read_json(dir + "/results.json");
  std::map<std::string, double> open_p50;
  for (const auto& c : r["cases"]) {
    const std::string kind = c["params"]["groups.app.ta"];
    const auto* open = find_op(c, "app", "session_open");
    ASSERT_NE(open, nullptr) << kind;
    // A load takes ~90 ms under TCG: a busy host may leave only a few opens in 0.6 s.
    EXPECT_GE((*open)["count"].get<uint64_t>(), 1u) << kind;
    EXPECT_EQ((*open)["errors"].size(), 0u) << kind << ": " << open->dump();
    open_p50[kind] = (*open)["latency_ns"]["p50"].get<double>();
  }
  ASSERT_EQ(open_p50.size(), 5u);
  // Loading is a supplicant round trip plus an RSA check: many times one reopen of a live
  // instance, far beyond any noise.
  EXPECT_LT(open_p50["keep_alive"] * 2, open_p50["multi_session"])
      << "keep_alive " << open_p50["keep_alive"] << " ns, multi_session "
      << open_p50["multi_session"] << " ns";
}

// The qemu process that `teebench` (pid) started, from the kernel's list of its children.
pid_t qemu_child(pid_t teebench_pid) {
  std::ifstream in("/proc/" + std::to_string(teebench_pid) + "/task/" +
                   std::to_string(teebench_pid) + "/children");
  pid_t child = 0;
  while (in >> child) {
    std::ifstream comm("/proc/" + std::to_string(child) + "/comm");
    std::string name;
    comm >> name;
    if (name.rfind("qemu-system", 0) == 0) return child;
  }
  return 0;
}

// A guest that dies mid-run (here QEMU killed from outside, as the OOM killer or a crashed host
// process would) still leaves on the host what was measured up to its last checkpoint.
TEST(QemuTarget, GuestKilledMidRunKeepsTheLastCheckpoint) {
  REQUIRE_QEMU();
  const std::string dir = out_dir("killed");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execl(TEEBENCH_BIN, TEEBENCH_BIN, "run", "qemu-short", "--target", "qemu", "--out",
            dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait for a checkpoint holding a finished case: boot takes 2-10 s, a case under a second.
  // 180 s bounds a guest that never gets there (then the run ends on its own and fails below).
  bool measured = false;
  for (int i = 0; i < 1800 && !measured; ++i) {
    ::usleep(100 * 1000);
    std::ifstream in(dir + "/results.json");
    const json r = json::parse(in, nullptr, false);
    measured = !r.is_discarded() && r.contains("cases") && !r["cases"].empty();
  }
  const pid_t qemu = qemu_child(pid);
  if (measured && qemu > 0) ::kill(qemu, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(measured) << "no checkpoint with a finished case reached " << dir;
  ASSERT_GT(qemu, 0) << "no QEMU process found under teebench";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  const json r = read_json(dir + "/results.json");
  EXPECT_EQ(r["status"], "failed");
  EXPECT_NE(r["context"]["failure"].get<std::string>().find("QEMU ended"), std::string::npos)
      << r["context"]["failure"];
  EXPECT_EQ(r["context"]["qemu"]["firmware"], "4.9.0");
  ASSERT_FALSE(r["cases"].empty());
  EXPECT_GT(r["cases"][0]["operations"][0]["count"].get<uint64_t>(), 0u);
  EXPECT_TRUE(fs::exists(dir + "/console.log"));
}

// Users compare OP-TEE releases: here two real ones, in the deterministic (icount) mode where boots
// repeat exactly. 4.9.0 twice: the same figures, and compare finds no change (exit 0). 4.0.0 vs
// 4.9.0: compare reports the changes the two builds really have, with their direction and size,
// and the gate's exit code; and the same pair reversed reads as improvements (exit 0).
TEST(QemuTarget, DeterministicReleasesCompare) {
  REQUIRE_QEMU();
  const std::string workload = std::string(TEEBENCH_SOURCE_DIR) + "/tests/qemu/deterministic.json";
  auto boot = [&](std::string tag, std::string release) {
    const std::string dir = out_dir(tag);
    const auto o = teebench("run " + workload + " --set repetitions=3 --target qemu:" + release +
                            ",icount --out " + dir);
    EXPECT_EQ(o.code, 0) << o.text;
    return dir;
  };
  // Three boots at once: in icount mode a guest's figures are instruction counts, whatever else
  // the host runs, so they need not take turns (27 s one after another in CI).
  auto fa = std::async(std::launch::async, boot, "icount-a", "4.9.0");
  auto fb = std::async(std::launch::async, boot, "icount-b", "4.9.0");
  auto fold = std::async(std::launch::async, boot, "icount-old", "4.0.0");
  const std::string a = fa.get(), b = fb.get(), old = fold.get();
  json p50[2];
  int i = 0;
  for (const auto& dir : {a, b}) {
    const json r = read_json(dir + "/results.json");
    EXPECT_TRUE(r["context"]["qemu"]["icount"].get<bool>());
    const auto& c = r["cases"][0];
    p50[i++] = {(*find_op(c, "nop", "nop"))["latency_ns"]["p50"],
                (*find_op(c, "memref", "memref_read"))["latency_ns"]["p50"]};
    EXPECT_TRUE(fs::exists(dir + "/report.html"));
  }
  EXPECT_EQ(p50[0], p50[1]) << "icount p50s differ between boots";

  const auto same = teebench("compare " + a + "/results.json " + b + "/results.json");
  EXPECT_EQ(same.code, 0) << same.text;
  EXPECT_NE(same.text.find("deterministic"), std::string::npos) << same.text;
  EXPECT_NE(same.text.find("0 regressions, 0 improvements"), std::string::npos) << same.text;

  // Each figure's delta must be the two runs' own medians, and its verdict follow from its size.
  const std::string md = out_dir("compare") + ".md";
  const auto releases = teebench("compare " + old + "/results.json " + a +
                                 "/results.json --min-effect 3% --markdown " + md);
  std::ifstream in(md);
  std::string line, table;
  int regressions = 0;
  while (std::getline(in, line)) {
    if (line.rfind("| default |", 0) != 0) continue;
    table += line + "\n";
    // | case | op | figure | base | new | delta | interval | p | verdict |
    std::vector<std::string> cell;
    for (size_t s = 1, e; (e = line.find(" |", s)) != std::string::npos; s = e + 2)
      cell.push_back(line.substr(s + 1, e - s - 1));
    ASSERT_GE(cell.size(), 9u) << line;
    if (cell[8].find("not judged") != std::string::npos) continue;
    const double delta = std::stod(cell[5]);
    const bool lower_better = cell[2] != "throughput";
    const bool worse = lower_better ? delta > 0 : delta < 0;
    // A verdict agrees with the change's direction and is at least the minimum effect; a smaller
    // change is never one. (A larger one inside the repetitions' own spread may be no verdict.)
    if (cell[8].find("REGRESSION") != std::string::npos) {
      EXPECT_TRUE(worse && std::abs(delta) >= 3) << line;
      ++regressions;
    } else if (cell[8].find("improvement") != std::string::npos) {
      EXPECT_TRUE(!worse && std::abs(delta) >= 3) << line;
    } else if (std::abs(delta) < 3) {
      EXPECT_NE(cell[8].find("no significant change"), std::string::npos) << line;
    }
  }
  EXPECT_GT(regressions, 0) << "4.0.0 -> 4.9.0 measured no change beyond 3 %:\n" << table;
  EXPECT_EQ(releases.code, regressions > 0 ? 1 : 0) << releases.text;
  const auto reversed =
      teebench("compare " + a + "/results.json " + old + "/results.json --min-effect 3%");
  EXPECT_EQ(reversed.code, 0) << reversed.text;
  EXPECT_NE(reversed.text.find("improvement"), std::string::npos) << reversed.text;
}

// The UAPI conformance tests (tests/uapi) built for arm64 and run against the real /dev/tee0:
// the same source the emulator passes on the host.
TEST(QemuTarget, UapiConformanceOnTheRealDevice) {
  REQUIRE_QEMU();
  const std::string bin = std::string(TEEBENCH_ARM64_BUILD) + "/tests/uapi_tests";
  if (!fs::exists(bin)) GTEST_SKIP() << bin << " not built (cmake --build --preset arm64)";
  const std::string dir = out_dir("uapi");
  targets::qemu::QemuOptions opts = targets::qemu::parse_options("", dir + "/.fw");
  targets::qemu::GuestCommand cmd;
  cmd.program = "uapi_tests";
  cmd.argv = {"--gtest_output=json:/tmp/out/uapi.json"};
  cmd.files.emplace_back("/usr/bin/uapi_tests", bin);
  targets::qemu::describe_to_guest(opts, &cmd);
  cmd.env.emplace_back("TEEBENCH_TEST_TARGET", "/dev/tee0");
  const auto run = targets::qemu::run_in_guest(opts, cmd, dir, dir);
  ASSERT_TRUE(run.completed) << run.error;
  ASSERT_TRUE(run.results) << "no gtest report came back";
  const json r = read_json(dir + "/uapi.json");
  std::string failed;
  for (const auto& suite : r["testsuites"])
    for (const auto& t : suite["testsuite"])
      if (t.contains("failures")) failed += " " + t["name"].get<std::string>();
  EXPECT_EQ(run.exit_code, 0) << "failed on the real stack:" << failed;
  EXPECT_GT(r["tests"].get<int>(), 10);
}

// A kernel panic under the command ends QEMU at once (panic=-1 with -no-reboot) and says so,
// instead of waiting out the silence time-out (set to 300 s here so that waiting would show).
TEST(QemuTarget, KernelPanicEndsTheGuestAtOnce) {
  REQUIRE_QEMU();
  const std::string dir = out_dir("panic");
  targets::qemu::QemuOptions opts = targets::qemu::parse_options("timeout=300", dir + "/.fw");
  targets::qemu::GuestCommand cmd;
  cmd.program = "sh";
  cmd.argv = {"-c", "echo c > /proc/sysrq-trigger"};
  const auto run = targets::qemu::run_in_guest(opts, cmd, "", dir);
  EXPECT_FALSE(run.completed);
  EXPECT_NE(run.error.find("QEMU ended before the command finished"), std::string::npos)
      << run.error;
  std::ifstream log(dir + "/console.log");
  const std::string text{std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>()};
  EXPECT_NE(text.find("Kernel panic"), std::string::npos) << "no panic in " << dir;
}

TEST(QemuTarget, GuestThatNeverBootsIsAnErrorWithLogs) {
  REQUIRE_QEMU();
  const std::string dir = out_dir("noboot");
  fs::create_directories(dir);
  std::ofstream(dir + "/flash.bin", std::ios::binary) << std::string(1 << 20, '\0');
  // The smallest timeout teebench takes (5 s): this firmware prints nothing at all.
  const auto o = teebench("info --target qemu:" + dir + "/flash.bin,boot_timeout=5");
  EXPECT_EQ(o.code, 2) << o.text;
  EXPECT_NE(o.text.find("did not reach the command within 5 s"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("console.log"), std::string::npos) << o.text;
}

}  // namespace
