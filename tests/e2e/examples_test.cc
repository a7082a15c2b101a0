// The bundled examples (workloads/examples, docs/examples.md), each run by its listed name in a
// short form through the real command: each must produce the figure it exists for. They check
// that the figure is there and well formed, never its value (these hosts are shared and noisy).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace {

using nlohmann::json;

json run_example(const std::string& name, const std::string& sets) {
  const std::string out = ::testing::TempDir() + "/example-" + name;
  std::filesystem::remove_all(out);
  const std::string cmd = std::string(TEEBENCH_BIN) + " run examples/" + name + " --out " + out +
                          " --force " + sets + " > " + out + ".log 2>&1";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd;
  std::ifstream in(out + "/results.json");
  json doc = json::parse(in);
  EXPECT_EQ(doc.value("status", ""), "complete") << name;
  return doc;
}

const json& op_of(const json& c, const std::string& group, const std::string& op) {
  for (const auto& o : c["operations"])
    if (o["group"] == group && o["op"] == op) return o;
  throw std::runtime_error("no operation " + group + "/" + op);
}

TEST(Examples, ClientProgramTimesOpenCloseAndTransactionsApart) {
  const json doc = run_example("client-program", "--set duration_s=0.3 --set warmup_s=0");
  const json& c = doc["cases"][0];
  for (const char* step : {"context_open", "session_open", "value", "memref_read", "session_close",
                           "context_close", "transaction"}) {
    const json& o = op_of(c, "request", step);
    EXPECT_GT(o["count"].get<uint64_t>(), 0u) << step;
    EXPECT_GT(o["latency_ns"]["p50"].get<double>(), 0) << step;
  }
  // The daemon's once-only steps are measured too, around its transactions.
  EXPECT_EQ(op_of(c, "daemon", "session_open")["count"], 2);
  EXPECT_EQ(op_of(c, "daemon", "session_close")["count"], 2);
  EXPECT_GT(op_of(c, "daemon", "transaction")["throughput_per_s"].get<double>(), 0);
}

TEST(Examples, ThreadScalingGivesEveryTaKindAndThreadCount) {
  const json doc = run_example("thread-scaling", "--set duration_s=0.15 --set warmup_s=0");
  ASSERT_EQ(doc["cases"].size(), 16u);
  std::set<std::string> labels;
  for (const auto& c : doc["cases"]) {
    labels.insert(c["label"].get<std::string>());
    EXPECT_GT(op_of(c, "app", "wait")["throughput_per_s"].get<double>(), 0) << c["label"];
  }
  EXPECT_TRUE(labels.count("ta=concurrent threads=8"));
}

TEST(Examples, QueueDepthSamplesOccupancyOverTheCase) {
  const json doc = run_example("queue-depth", "--set duration_s=0.3 --set interval_s=0.1");
  const json& occ = doc["cases"][0]["occupancy"];
  ASSERT_TRUE(occ.is_object());
  for (const char* k : {"secure_threads_busy", "secure_threads_suspended", "call_queue_sleeping"})
    EXPECT_TRUE(occ["peak"][k].is_number()) << k;
  EXPECT_GE(occ["series"].size(), 2u);
  EXPECT_TRUE(doc["cases"][0]["counters"]["call_queue_sleeping_peak"].is_number());
}

TEST(Examples, StarvationReportsEachGroupsLongestGapBesideFairness) {
  const json doc = run_example("starvation", "--set duration_s=0.3");
  const json& m = doc["cases"][0]["metrics"]["clients"];
  EXPECT_TRUE(m["heavy"]["jain_fairness"].is_number());
  for (const char* g : {"heavy", "light"})
    EXPECT_GT(m[g]["longest_gap_ns"]["worst"].get<double>(), 0) << g;
  for (const auto& cl : op_of(doc["cases"][0], "light", "nop")["clients"])
    EXPECT_TRUE(cl["longest_gap_ns"].is_number());
}

TEST(Examples, CompletionGivesTheFinishTimesOfAnOperationCountRun) {
  const json doc = run_example("completion", "--set operations=20");
  const json& t = op_of(doc["cases"][0], "workers", "hold")["completion_s"];
  EXPECT_EQ(t["clients"], 8);
  EXPECT_LE(t["min"].get<double>(), t["p50"].get<double>());
  EXPECT_LE(t["p90"].get<double>(), t["max"].get<double>());
}

}  // namespace
