// The `teebench run` command as a process: a killed run leaves a readable checkpoint, SIGINT
// writes partial results marked interrupted, bad input is exit code 2 with a one-line message.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

namespace {

namespace fs = std::filesystem;

struct Child {
  pid_t pid = -1;
  int status = 0;
  std::string err_path;
};

Child spawn(const std::vector<std::string>& args, const std::string& tag) {
  Child c;
  c.err_path = ::testing::TempDir() + "/" + tag + ".stderr";
  c.pid = fork();
  if (c.pid == 0) {
    FILE* f = std::freopen(c.err_path.c_str(), "w", stderr);
    (void)f;
    if (!std::freopen("/dev/null", "w", stdout)) _exit(126);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(TEEBENCH_BIN, argv.data());
    _exit(127);
  }
  return c;
}

int wait_exit(Child& c) {
  waitpid(c.pid, &c.status, 0);
  return WIFEXITED(c.status) ? WEXITSTATUS(c.status) : 128 + WTERMSIG(c.status);
}

std::string write_workload(const std::string& name, double duration) {
  const std::string path = ::testing::TempDir() + "/" + name + ".json";
  std::ofstream(path)
      << nlohmann::json{{"name", name},
                        {"duration_s", duration},
                        {"interval_s", 0.2},
                        {"groups", {{{"name", "g"}, {"clients", 2}, {"mix", {{{"op", "nop"}}}}}}}}
             .dump();
  return path;
}

nlohmann::json read_results(const std::string& dir) {
  std::ifstream in(dir + "/results.json");
  return nlohmann::json::parse(in);  // throws if the checkpoint is not whole JSON
}

bool wait_for_data(const std::string& dir) {
  for (int i = 0; i < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    try {
      const auto j = read_results(dir);
      if (!j["cases"].empty() && j["cases"][0]["operations"][0]["count"].get<uint64_t>() > 0)
        return true;
    } catch (...) {
    }
  }
  return false;
}

TEST(RunCommand, SigkillMidRunLeavesAReadableCheckpoint) {
  const std::string out = ::testing::TempDir() + "/killed";
  fs::remove_all(out);
  Child c = spawn({TEEBENCH_BIN, "run", write_workload("long", 30), "--out", out}, "kill");
  ASSERT_TRUE(wait_for_data(out));
  kill(c.pid, SIGKILL);
  wait_exit(c);
  const auto j = read_results(out);
  EXPECT_EQ(j["status"], "running");
  EXPECT_GT(j["cases"][0]["operations"][0]["count"].get<uint64_t>(), 0u);
  EXPECT_FALSE(j["cases"][0]["operations"][0]["histogram"]["bins"].get<std::string>().empty());
}

TEST(RunCommand, SigintStopsCleanlyAndMarksResultsInterrupted) {
  const std::string out = ::testing::TempDir() + "/interrupted";
  fs::remove_all(out);
  Child c = spawn({TEEBENCH_BIN, "run", write_workload("long2", 30), "--out", out}, "int");
  ASSERT_TRUE(wait_for_data(out));
  kill(c.pid, SIGINT);
  EXPECT_EQ(wait_exit(c), 130);
  const auto j = read_results(out);
  EXPECT_EQ(j["status"], "interrupted");
  EXPECT_EQ(j["cases"][0]["complete"], false);
  EXPECT_GT(j["cases"][0]["operations"][0]["count"].get<uint64_t>(), 0u);
}

// A hang (the §7.1 OCALL deadlock switched on) ends the run with evidence enough to tell hangs
// apart: each secure thread's state, which operations the calls in flight were, and whether
// tee-supplicant holds requests; results.json and report.html say so.
TEST(RunCommand, HangEvidenceNamesTheCallsInFlight) {
  const std::string out = ::testing::TempDir() + "/hang";
  fs::remove_all(out);
  Child c =
      spawn({TEEBENCH_BIN, "run", "ocall", "--set", "defect=ocall-deadlock", "--out", out}, "hang");
  EXPECT_EQ(wait_exit(c), 1);
  const auto j = read_results(out);
  EXPECT_EQ(j["status"], "failed");
  const auto& v = j["cases"].back()["verdicts"].back();
  EXPECT_EQ(v["name"], "no_deadlock");
  const auto& e = v["evidence"];
  EXPECT_EQ(e["thread_states"].size(), 2u) << e;
  int in_ops = 0;
  for (const auto& [op, n] : e["in_flight_ops"].items()) in_ops += n.get<int>();
  EXPECT_EQ(in_ops, e["in_flight"].get<int>()) << e;
  EXPECT_TRUE(e.contains("supplicant_requests_pending")) << e;
  EXPECT_TRUE(fs::exists(out + "/report.html"));
}

TEST(RunCommand, CompleteRunWritesResultsWithContext) {
  const std::string out = ::testing::TempDir() + "/complete";
  fs::remove_all(out);
  Child c = spawn({TEEBENCH_BIN, "run", write_workload("short", 0.3), "--out", out, "--label",
                   "optee_version=4.10"},
                  "ok");
  EXPECT_EQ(wait_exit(c), 0);
  const auto j = read_results(out);
  EXPECT_EQ(j["status"], "complete");
  EXPECT_EQ(j["context"]["labels"]["optee_version"], "4.10");
  EXPECT_TRUE(j["context"].contains("clock"));
  EXPECT_TRUE(j["context"].contains("git_revision"));
  EXPECT_EQ(j["cases"][0]["verdicts"][0]["outcome"], "pass");
  EXPECT_FALSE(fs::exists(out + "/results.json.tmp"));
}

TEST(RunCommand, UnwritableOutputFolderFailsBeforeTheRun) {
  Child c =
      spawn({TEEBENCH_BIN, "run", write_workload("x", 0.2), "--out", "/proc/teebench-out"}, "ro");
  EXPECT_EQ(wait_exit(c), 2);
  std::ifstream in(c.err_path);
  std::string line;
  std::getline(in, line);
  EXPECT_NE(line.find("--out /proc/teebench-out"), std::string::npos) << line;
}

TEST(RunCommand, InvalidWorkloadIsExitTwoWithPathMessage) {
  const std::string path = ::testing::TempDir() + "/bad.json";
  std::ofstream(path)
      << R"({"name": "bad", "duration_s": 1, "groups": [{"name": "g", "clients": "many", "mix": [{"op": "nop"}]}]})";
  Child c = spawn({TEEBENCH_BIN, "run", path}, "bad");
  EXPECT_EQ(wait_exit(c), 2);
  std::ifstream in(c.err_path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, path + ": $.groups[0].clients: expected a non-negative integer, got a string");
}

TEST(RunCommand, BadStackKnobIsExitTwo) {
  Child c = spawn({TEEBENCH_BIN, "run", write_workload("knob", 0.2), "--set", "threads=0"}, "knob");
  EXPECT_EQ(wait_exit(c), 2);
  std::ifstream in(c.err_path);
  std::string line;
  std::getline(in, line);
  // Blamed on the --set that made it, not on the workload file.
  EXPECT_TRUE(line.starts_with("--set threads=0: threads: value 0 is outside 1..256")) << line;
}

TEST(RunCommand, ASetTypoOnABundledWorkloadNamesTheSet) {
  Child c = spawn({TEEBENCH_BIN, "run", "null", "--set", "CFG_NUM_THRAEDS=4"}, "knob-typo");
  EXPECT_EQ(wait_exit(c), 2);
  std::ifstream in(c.err_path);
  std::string line;
  std::getline(in, line);
  EXPECT_TRUE(line.starts_with("--set CFG_NUM_THRAEDS=4: unknown setting 'CFG_NUM_THRAEDS'"))
      << line;
  EXPECT_EQ(line.find("null.json"), std::string::npos) << line;
}

TEST(RunCommand, SetWinsOverTheFilesKnobUnderTheOtherName) {
  const std::string path = ::testing::TempDir() + "/knob-precedence.json";
  std::ofstream(path) << R"({"name": "knob-precedence", "duration_s": 0.2, "interval_s": 0.2,
    "stack": {"threads": 4}, "groups": [{"name": "g", "clients": 1, "mix": [{"op": "nop"}]}]})";
  const std::string out = ::testing::TempDir() + "/knob-precedence-out";
  Child c =
      spawn({TEEBENCH_BIN, "run", path, "--set", "CFG_NUM_THREADS=8", "--force", "--out", out},
            "knob-precedence");
  ASSERT_EQ(wait_exit(c), 0);
  const auto r = read_results(out);
  EXPECT_EQ(r["cases"][0]["counters"]["secure_threads"], 8) << r["cases"][0]["counters"].dump();
}

std::string first_line(const Child& c) {
  std::ifstream in(c.err_path);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(RunCommand, InvalidLabelsAreExitTwoBeforeTheRun) {
  const std::string w = write_workload("lbl", 0.2);
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--label", "1board=x"}, "not a Prometheus label name"},
      {{"--label", "__name__=x"}, "belong to Prometheus"},
      {{"--label", "case=x"}, "one teebench sets itself"},
      {{"--label", "board="}, "empty value"},
      {{"--label",
        "board=a\x01"
        "b"},
       "not UTF-8"},
      {{"--label", "board=\xff"}, "not UTF-8"},
      {{"--label", "board"}, "expected KEY=VALUE"},
  };
  int i = 0;
  for (const auto& [args, want] : cases) {
    std::vector<std::string> argv = {TEEBENCH_BIN, "run", w, "--out",
                                     ::testing::TempDir() + "/lbl" + std::to_string(i)};
    argv.insert(argv.end(), args.begin(), args.end());
    Child c = spawn(argv, "lbl" + std::to_string(i++));
    EXPECT_EQ(wait_exit(c), 2) << args[1];
    EXPECT_NE(first_line(c).find(want), std::string::npos) << first_line(c);
  }
}

TEST(RunCommand, BadServeAddressOrPushUrlIsExitTwo) {
  const std::string w = write_workload("srv", 0.2);
  Child a = spawn({TEEBENCH_BIN, "run", w, "--serve", "99999"}, "srv1");
  EXPECT_EQ(wait_exit(a), 2);
  EXPECT_NE(first_line(a).find("--serve 99999: expected [ADDR:]PORT"), std::string::npos)
      << first_line(a);
  Child b = spawn({TEEBENCH_BIN, "run", w, "--push", "pushgateway:9091"}, "push1");
  EXPECT_EQ(wait_exit(b), 2);
  EXPECT_NE(first_line(b).find("not an http:// or https:// URL"), std::string::npos)
      << first_line(b);
  // An address this machine does not have cannot be listened on.
  Child c = spawn({TEEBENCH_BIN, "run", w, "--serve", "192.0.2.1:9464"}, "srv2");
  EXPECT_EQ(wait_exit(c), 2);
  EXPECT_NE(first_line(c).find("cannot listen there"), std::string::npos) << first_line(c);
}

// A Pushgateway nobody listens at: a warning after bounded retries; the run's exit code and
// results.json are what they would have been.
TEST(RunCommand, UnreachablePushgatewayIsAWarningNotAFailure) {
  const std::string out = ::testing::TempDir() + "/unreach";
  fs::remove_all(out);
  // Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
  Child c = spawn({TEEBENCH_BIN, "run", write_workload("unreach", 0.2), "--out", out, "--push",
                   "http://127.0.0.1:9", "--textfile", out + "/teebench.prom"},
                  "unreach");
  EXPECT_EQ(wait_exit(c), 0);
  EXPECT_EQ(read_results(out)["status"], "complete");
  std::ifstream in(c.err_path);
  const std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(err.find("warning: push failed after 3 tries"), std::string::npos) << err;
  EXPECT_NE(err.find("teebench export --push"), std::string::npos) << err;
  // The textfile was written, whole, with no temporary left beside it.
  std::ifstream prom(out + "/teebench.prom");
  const std::string text((std::istreambuf_iterator<char>(prom)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("# TYPE teebench_calls_total counter"), std::string::npos);
  EXPECT_NE(text.find("teebench_run_running{"), std::string::npos);
  EXPECT_FALSE(fs::exists(out + "/teebench.prom.tmp"));
}

TEST(ExportCommand, MissingOrMalformedResultsAreExitTwo) {
  Child a = spawn({TEEBENCH_BIN, "export", "/nonexistent/results.json"}, "exp1");
  EXPECT_EQ(wait_exit(a), 2);
  EXPECT_NE(first_line(a).find("cannot open it"), std::string::npos) << first_line(a);
  const std::string bad = ::testing::TempDir() + "/notresults.json";
  std::ofstream(bad) << R"({"name": "x"})";
  Child b = spawn({TEEBENCH_BIN, "export", bad}, "exp2");
  EXPECT_EQ(wait_exit(b), 2);
  EXPECT_NE(first_line(b).find("not a teebench results document"), std::string::npos)
      << first_line(b);
}

// --serve as Prometheus would use it: scraped while the run goes, and the run ends as soon as a
// scrape has taken the final figures (--serve-linger is the upper bound, not a wait).
TEST(RunCommand, ServedMetricsAreScrapedAndTheRunEndsAfterTheLastScrape) {
#if defined(TEEBENCH_TSAN)
  GTEST_SKIP() << "civetweb and prometheus-cpp are not TSan-instrumented (docs/metrics.md)";
#endif
  const std::string out = ::testing::TempDir() + "/served";
  fs::remove_all(out);
  Child c = spawn({TEEBENCH_BIN, "run", write_workload("served", 1.0), "--out", out, "--serve",
                   "127.0.0.1:0", "--serve-linger", "60", "--label", "board=ci"},
                  "served");
  std::string url;
  for (int i = 0; i < 200 && url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::ifstream in(c.err_path);
    for (std::string line; std::getline(in, line);)
      if (auto p = line.find("serving metrics on "); p != std::string::npos)
        url = line.substr(p + 19);
  }
  ASSERT_FALSE(url.empty());
  const auto t0 = std::chrono::steady_clock::now();
  bool saw_calls = false;
  int status = 0;
  while (waitpid(c.pid, &status, WNOHANG) == 0) {
    FILE* p = popen(("curl -s --max-time 5 " + url).c_str(), "r");
    std::string body;
    char buf[4096];
    for (size_t n; p && (n = fread(buf, 1, sizeof buf, p)) > 0;) body.append(buf, n);
    if (p) pclose(p);
    saw_calls = saw_calls || body.find("teebench_calls_total{board=\"ci\"") != std::string::npos;
    ASSERT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(50)) << "still lingering";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(saw_calls);
  EXPECT_EQ(read_results(out)["status"], "complete");
}

// ---- bad input and faults of teebench itself (issue 11 §3): one line, exit 2, data kept ------

std::string write_text(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// A real full disk: a 40 KiB tmpfs in a private mount namespace (unshare -rm needs no root).
TEST(RunBadInput, DiskFullIsExitTwoAndKeepsTheLastCheckpoint) {
  if (std::system("unshare -rm true 2>/dev/null") != 0)
    GTEST_SKIP() << "no user namespaces here (unshare -rm): cannot make a small filesystem";
  const std::string mnt = ::testing::TempDir() + "/fullfs";
  fs::create_directories(mnt);
  const std::string w = write_workload("full", 3);
  const std::string err = ::testing::TempDir() + "/full.stderr";
  const std::string cmd = "unshare -rm sh -c 'mount -t tmpfs -o size=40k none " + mnt + " && " +
                          TEEBENCH_BIN + " run " + w + " --out " + mnt + "/out > /dev/null 2> " +
                          err + "; echo $?; cat " + mnt + "/out/results.json'";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  pclose(p);
  const auto nl = out.find('\n');
  ASSERT_NE(nl, std::string::npos) << out;
  EXPECT_EQ(out.substr(0, nl), "2");
  const auto j = nlohmann::json::parse(out.substr(nl + 1), nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << "the last checkpoint is not whole JSON: " << out;
  EXPECT_EQ(j["schema"], "teebench-results/1");
  std::ifstream in(err);
  std::string line;
  std::getline(in, line);
  EXPECT_NE(line.find("No space left on device"), std::string::npos) << line;
}

TEST(RunBadInput, DeeplyNestedWorkloadIsRejected) {
  const std::string path =
      write_text("deep.json", std::string(100000, '[') + std::string(100000, ']'));
  Child c = spawn({TEEBENCH_BIN, "run", path}, "deep");
  EXPECT_EQ(wait_exit(c), 2);
  EXPECT_EQ(first_line(c), path + ": $: nested deeper than 64 levels (byte 64)");
}

TEST(RunBadInput, NonStringNameAndDescriptionAreNamed) {
  for (const char* field : {"name", "description"}) {
    nlohmann::json w = {{"name", "n"},
                        {"duration_s", 0.1},
                        {"groups", {{{"name", "g"}, {"mix", {{{"op", "nop"}}}}}}}};
    w[field] = 5;
    const std::string path = write_text(std::string("nonstr-") + field + ".json", w.dump());
    Child c = spawn({TEEBENCH_BIN, "run", path}, field);
    EXPECT_EQ(wait_exit(c), 2);
    EXPECT_EQ(first_line(c), path + ": $." + field + ": expected a string, got a number");
  }
}

TEST(RunBadInput, NameCannotLeaveTheResultsFolder) {
  const std::string path = write_text(
      "trav.json",
      R"({"name": "../../x", "duration_s": 0.1, "groups": [{"name": "g", "mix": [{"op": "nop"}]}]})");
  Child c = spawn({TEEBENCH_BIN, "run", path}, "trav");
  EXPECT_EQ(wait_exit(c), 2);
  EXPECT_NE(first_line(c).find("$.name: '../../x' names the results folder"), std::string::npos);
}

TEST(RunBadInput, SecondRunIntoTheSameFolderNamesTheFirst) {
  const std::string out = ::testing::TempDir() + "/locked";
  fs::remove_all(out);
  Child first = spawn({TEEBENCH_BIN, "run", write_workload("lock1", 30), "--out", out}, "lock1");
  ASSERT_TRUE(wait_for_data(out));
  Child second = spawn({TEEBENCH_BIN, "run", write_workload("lock2", 0.1), "--out", out}, "lock2");
  EXPECT_EQ(wait_exit(second), 2);
  EXPECT_EQ(first_line(second),
            "teebench: --out " + out + ": another teebench run (pid " + std::to_string(first.pid) +
                ") is writing there; wait for it to end or pick another folder with --out");
  kill(first.pid, SIGINT);
  EXPECT_EQ(wait_exit(first), 130);
  EXPECT_EQ(read_results(out)["status"], "interrupted");  // the first run's data is whole
}

TEST(RunBadInput, SigtermAndSighupEndTheRunLikeSigint) {
  for (int sig : {SIGTERM, SIGHUP}) {
    const std::string out = ::testing::TempDir() + "/signal" + std::to_string(sig);
    fs::remove_all(out);
    Child c = spawn({TEEBENCH_BIN, "run", write_workload("sig", 30), "--out", out}, "sig");
    ASSERT_TRUE(wait_for_data(out));
    kill(c.pid, sig);
    EXPECT_EQ(wait_exit(c), 128 + sig);
    const auto j = read_results(out);
    EXPECT_EQ(j["status"], "interrupted");
    EXPECT_GT(j["cases"][0]["operations"][0]["count"].get<uint64_t>(), 0u);
  }
}

TEST(RunBadInput, ExistingResultsAreNotOverwrittenWithoutForce) {
  const std::string out = ::testing::TempDir() + "/existing";
  fs::remove_all(out);
  fs::create_directories(out);
  write_text("existing/results.json", "{\"keep\": 1}");
  Child c = spawn({TEEBENCH_BIN, "run", write_workload("exist", 0.1), "--out", out}, "exist");
  EXPECT_EQ(wait_exit(c), 2);
  EXPECT_NE(first_line(c).find("already holds a run's results.json"), std::string::npos);
  EXPECT_EQ(read_results(out)["keep"], 1);
  Child f =
      spawn({TEEBENCH_BIN, "run", write_workload("exist", 0.1), "--out", out, "--force"}, "force");
  EXPECT_EQ(wait_exit(f), 0);
  EXPECT_EQ(read_results(out)["status"], "complete");
}

TEST(RunBadInput, EveryCallFailingFailsTheRun) {
  const std::string path = write_text("allfail.json", R"({"name": "allfail",
    "stack": {"ns_ddr_size": "512M"}, "duration_s": 0.2, "groups": [{"name": "g",
    "mix": [{"op": "memref_read", "size": 1073741824, "memory": "registered"}]}]})");
  const std::string out = ::testing::TempDir() + "/allfail";
  fs::remove_all(out);
  Child c = spawn({TEEBENCH_BIN, "run", path, "--out", out}, "allfail");
  EXPECT_EQ(wait_exit(c), 1);
  bool found = false;
  const auto j = read_results(out);
  for (const auto& v : j["cases"][0]["verdicts"])
    if (v["name"] == "calls_measured") {
      found = true;
      EXPECT_EQ(v["outcome"], "fail") << v;
      EXPECT_EQ(v["kind"], "invariant");
    }
  EXPECT_TRUE(found);
}

TEST(RunBadInput, OversizedWorkloadsAreRefusedUpFront) {
  nlohmann::json w = {{"name", "huge"}, {"duration_s", 1}, {"groups", nlohmann::json::array()}};
  for (int i = 0; i < 5; ++i)
    w["groups"].push_back(
        {{"name", "g" + std::to_string(i)}, {"clients", 1000}, {"mix", {{{"op", "nop"}}}}});
  Child c = spawn({TEEBENCH_BIN, "run", write_text("huge.json", w.dump())}, "huge");
  EXPECT_EQ(wait_exit(c), 2);
  EXPECT_NE(first_line(c).find("5000 clients in one case; at most 4096"), std::string::npos);
  w = {{"name", "sweep"},
       {"duration_s", 1},
       {"sweep", {{{"seed", nlohmann::json::array()}}, {{"warmup_s", nlohmann::json::array()}}}},
       {"groups", {{{"name", "g"}, {"mix", {{{"op", "nop"}}}}}}}};
  for (int i = 0; i < 101; ++i) w["sweep"][0]["seed"].push_back(i);
  for (int i = 0; i < 100; ++i) w["sweep"][1]["warmup_s"].push_back(i * 0.01);
  Child s = spawn({TEEBENCH_BIN, "run", write_text("bigsweep.json", w.dump())}, "sweep");
  EXPECT_EQ(wait_exit(s), 2);
  EXPECT_NE(first_line(s).find("$.sweep: expands to more than 10000 cases"), std::string::npos);
}

TEST(RunBadInput, StartAfterTheEndIsRefused) {
  Child c = spawn({TEEBENCH_BIN, "run", write_workload("late", 0.5), "--set", "groups.g.start_s=1"},
                  "late");
  EXPECT_EQ(wait_exit(c), 2);
  EXPECT_NE(first_line(c).find("$.groups[0].start_s: is at or after the end of the run"),
            std::string::npos);
}

TEST(RunBadInput, StackErrorsAreSaidBeforeTheFolderIsTouched) {
  const std::string out = ::testing::TempDir() + "/untouched";
  fs::remove_all(out);
  Child g = spawn({TEEBENCH_BIN, "run", write_workload("guest", 0.1), "--set", "groups.g.guest=3",
                   "--set", "hypervisor=xen", "--out", out},
                  "guest");
  EXPECT_EQ(wait_exit(g), 2);
  EXPECT_EQ(first_line(g),
            "teebench: $.groups.g.guest: guest 3 does not exist: the stack has 1 (set "
            "stack.guests) (case default)");
  Child p = spawn(
      {TEEBENCH_BIN, "run", write_workload("prof", 0.1), "--set", "profile=/tmp", "--out", out},
      "prof");
  EXPECT_EQ(wait_exit(p), 2);
  EXPECT_NE(first_line(p).find("profile '/tmp': no readable file"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));
}

TEST(RunBadInput, CtrlCDuringWarmUpStopsAtOnce) {
  const std::string out = ::testing::TempDir() + "/warm";
  fs::remove_all(out);
  Child c =
      spawn({TEEBENCH_BIN, "run", write_workload("warm", 1), "--set", "warmup_s=60", "--out", out},
            "warm");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto t0 = std::chrono::steady_clock::now();
  kill(c.pid, SIGINT);
  EXPECT_EQ(wait_exit(c), 130);
  // Seconds, not the warm-up's remaining minute: the bound is far from any scheduling noise.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
}

TEST(RunBadInput, IntervalPointsAreHonouredAndNeverLaterThanThePhase) {
  const std::string out = ::testing::TempDir() + "/intervals";
  fs::remove_all(out);
  Child c = spawn(
      {TEEBENCH_BIN, "run", write_workload("iv", 0.5), "--set", "interval_s=0.05", "--out", out},
      "iv");
  EXPECT_EQ(wait_exit(c), 0);
  const auto j = read_results(out);
  const auto& iv = j["cases"][0]["operations"][0]["intervals"];
  ASSERT_GE(iv.size(), 5u) << iv;  // 10 asked for; a busy host may skip some, not most
  double last = 0;
  for (const auto& p : iv) {
    EXPECT_GT(p["t_s"].get<double>(), last) << iv;
    last = p["t_s"].get<double>();
  }
  EXPECT_LE(last, 0.5);
  // Piped progress: one line per case, not one per interval and again at the end.
  std::ifstream err(c.err_path);
  int lines = 0;
  for (std::string l; std::getline(err, l);) lines += l.starts_with("[1/1]");
  EXPECT_EQ(lines, 1);
}

TEST(RunBadInput, AnOpThatIssuedNothingSaysSo) {
  // The warm-up call (300 ms) outlasts the 100 ms measured phase: no call is issued in it.
  const std::string path = write_text("silent.json", R"({"name": "silent", "warmup_s": 0.05,
    "duration_s": 0.1, "groups": [{"name": "g", "mix": [{"op": "wait", "ms": 300}]}]})");
  const std::string out = ::testing::TempDir() + "/silent";
  fs::remove_all(out);
  Child c = spawn({TEEBENCH_BIN, "run", path, "--out", out}, "silent");
  EXPECT_EQ(wait_exit(c), 0);  // a measurement gap, not a defect: not judged, and said
  bool said = false;
  const auto j = read_results(out);
  for (const auto& v : j["cases"][0]["verdicts"])
    said = said || (v["name"] == "calls_measured" && v["outcome"] == "skipped" &&
                    v["detail"].get<std::string>().find("g/wait issued no call") == 0);
  EXPECT_TRUE(said);
}

}  // namespace

namespace {

// The normal-world latency probe (cyclictest-style) beside a case: its wake-up delays land in the
// case's metrics with the scheduling policy it got.
TEST(RunCommand, LatencyProbeRecordsWakeUpDelays) {
  const std::string out = ::testing::TempDir() + "/probe";
  fs::remove_all(out);
  Child c = spawn({TEEBENCH_BIN, "run", write_workload("probe", 0.5), "--set",
                   "latency_probe_us=1000", "--out", out},
                  "probe");
  EXPECT_EQ(wait_exit(c), 0);
  const auto j = read_results(out);
  const auto& m = j["cases"][0]["metrics"]["normal_world_wakeup"];
  // 500 periods of 1 ms; a busy host may delay many, but it cannot make them vanish.
  EXPECT_GT(m["samples"].get<uint64_t>(), 100u) << m;
  EXPECT_LE(m["p50_ns"].get<uint64_t>(), m["max_ns"].get<uint64_t>());
  EXPECT_TRUE(m["policy"].get<std::string>().starts_with("SCHED_")) << m;
}

}  // namespace

namespace {

// --duration sets the measured phase (a soak: --duration 1h); teebench reads its own RSS, fds
// and threads at the interval points (judged flat only over a minute or more: docs/verdicts.md).
TEST(RunCommand, DurationSetsThePhaseAndTheProcessIsSampled) {
  const std::string out = ::testing::TempDir() + "/duration";
  fs::remove_all(out);
  Child c =
      spawn({TEEBENCH_BIN, "run", write_workload("dur", 0.3), "--duration", "2.5s", "--out", out},
            "duration");
  EXPECT_EQ(wait_exit(c), 0);
  const auto j = read_results(out);
  const auto& cs = j["cases"][0];
  EXPECT_NEAR(cs["duration_s"].get<double>(), 2.5, 0.1);
  const auto& p = cs["metrics"]["process_resources"];
  ASSERT_GE(p["samples"].size(), 2u) << p;
  EXPECT_GT(p["last"]["threads"].get<uint64_t>(), 2u) << p;  // two clients at least
  EXPECT_GT(p["last"]["rss_kib"].get<uint64_t>(), 0u) << p;
  for (const auto& v : cs["verdicts"]) EXPECT_FALSE(v["name"] == "fds_flat") << v;  // too short

  Child bad = spawn({TEEBENCH_BIN, "run", write_workload("dur2", 0.3), "--duration", "an hour"},
                    "duration-bad");
  EXPECT_EQ(wait_exit(bad), 2);
  std::ifstream err(bad.err_path);
  std::string line;
  std::getline(err, line);
  EXPECT_NE(line.find("--duration: 'an hour' is not a duration"), std::string::npos) << line;
}

}  // namespace
