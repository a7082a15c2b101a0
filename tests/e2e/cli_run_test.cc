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
  EXPECT_FALSE(j["cases"][0]["operations"][0]["histogram"]["counts"].empty());
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

}  // namespace
