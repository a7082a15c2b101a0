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
  EXPECT_NE(line.find("$.stack.threads: value 0 is outside 1..256"), std::string::npos) << line;
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

}  // namespace
