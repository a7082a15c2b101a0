// teebench against Debian's real Prometheus 2.42 and Pushgateway 1.5.1 (label `integration`).
//
// One short run of tests/integration/metrics_workload.json is served (--serve, scraped every
// second) and pushed (--push); a second run of the same workload, modelling OP-TEE 4.0.0, is
// written first and pushed afterwards with `teebench export`, so the version board has two
// versions. Then, through Prometheus's HTTP API: the series match results.json (counts equal,
// percentiles within the histogram's bucket), every PromQL expression of every dashboard panel and
// every rule returns data, and promtool accepts the exposition, the config and the rules.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "measure/histogram.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kSource = TEEBENCH_SOURCE_DIR;

struct Child {
  pid_t pid = -1;
  std::string log;
};

Child spawn(const std::vector<std::string>& args, const std::string& log) {
  Child c{-1, log};
  c.pid = fork();
  if (c.pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    setpgid(0, 0);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return c;
}

int wait_exit(Child& c, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < end) {
    if (waitpid(c.pid, &status, WNOHANG) == c.pid) {
      c.pid = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(50ms);
  }
  return -1;
}

void stop(Child& c) {
  if (c.pid <= 0) return;
  kill(c.pid, SIGTERM);
  if (wait_exit(c, 10s) < 0) {
    kill(c.pid, SIGKILL);
    waitpid(c.pid, nullptr, 0);
  }
  c.pid = -1;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string run_command(const std::string& cmd, int* rc = nullptr) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  if (rc) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The port a daemon started with --web.listen-address=127.0.0.1:0 logged.
int logged_port(const std::string& log, const std::regex& re, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    std::smatch m;
    const std::string text = slurp(log);
    if (std::regex_search(text, m, re)) return std::stoi(m[1]);
    std::this_thread::sleep_for(50ms);
  }
  return 0;
}

struct Stack {
  std::string dir;
  Child pushgateway, prometheus, run;
  int pg_port = 0, prom_port = 0, serve_port = 0;
  int run_exit = -1, export_exit = -1;
  json results, base_results;
  std::string exposition;  // /metrics as scraped mid-run
  double start = 0, end = 0;
  std::string skip;     // why the suite cannot run here
  std::string failure;  // why setting up failed
};
Stack* g = nullptr;

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

json api(const std::string& path, const std::map<std::string, std::string>& params = {}) {
  std::string cmd =
      "curl -sS --max-time 20 http://127.0.0.1:" + std::to_string(g->prom_port) + path;
  for (const auto& [k, v] : params) cmd += " --data-urlencode " + quote(k + "=" + v);
  const json j = json::parse(run_command(cmd), nullptr, false);
  return j;
}

// An instant query at the end of the run; the result vector.
json query(const std::string& expr, double at = 0) {
  const json j =
      api("/api/v1/query", {{"query", expr}, {"time", std::to_string(at ? at : g->end)}});
  if (j.is_discarded() || j.value("status", "") != "success")
    return json{{"error", j.is_discarded() ? "no answer" : j.value("error", "?")}};
  return j["data"]["result"];
}

json query_range(const std::string& expr) {
  const json j = api("/api/v1/query_range", {{"query", expr},
                                             {"start", std::to_string(g->start)},
                                             {"end", std::to_string(g->end)},
                                             {"step", "1"}});
  if (j.is_discarded() || j.value("status", "") != "success")
    return json{{"error", j.is_discarded() ? "no answer" : j.value("error", "?")}};
  return j["data"]["result"];
}

std::string setup() {
  for (const char* b : {"/usr/bin/prometheus", "/usr/bin/prometheus-pushgateway",
                        "/usr/bin/promtool", "/usr/bin/curl"})
    if (!fs::exists(b)) {
      g->skip = std::string(b) + " is not installed (scripts/setup.sh installs it)";
      return {};
    }
  char tmpl[] = "/tmp/teebench-prom-XXXXXX";
  if (!mkdtemp(tmpl)) return "cannot make a temporary folder";
  g->dir = tmpl;
  const std::string& d = g->dir;

  g->pushgateway = spawn({"/usr/bin/prometheus-pushgateway", "--web.listen-address=127.0.0.1:0",
                          "--persistence.file="},
                         d + "/pushgateway.log");
  const std::regex listening(R"(msg="Listening on" address=127\.0\.0\.1:(\d+))");
  g->pg_port = logged_port(d + "/pushgateway.log", listening, 20s);
  if (!g->pg_port) return "the Pushgateway did not start: " + slurp(d + "/pushgateway.log");
  const std::string pg = "http://127.0.0.1:" + std::to_string(g->pg_port);
  const std::string workload = kSource + "/tests/integration/metrics_workload.json";

  g->start = now_s() - 1;
  // The base version: a run written to disk, pushed later with `teebench export`.
  Child base = spawn({TEEBENCH_BIN, "run", workload, "--out", d + "/base", "--set",
                      "optee_release=4.0.0", "--label", "board=ci-board"},
                     d + "/base.log");
  if (const int rc = wait_exit(base, 120s); rc != 0 && rc != 1)
    return "the base run failed (exit " + std::to_string(rc) + "): " + slurp(d + "/base.log");
  g->base_results = json::parse(slurp(d + "/base/results.json"), nullptr, false);

  // The new version: served while it runs and pushed at the end.
  g->run = spawn(
      {TEEBENCH_BIN, "run", workload, "--out", d + "/new", "--label", "board=ci-board", "--label",
       "optee_version=4.9.0", "--serve", "127.0.0.1:0", "--serve-linger", "30", "--push", pg},
      d + "/new.log");
  g->serve_port = logged_port(d + "/new.log",
                              std::regex(R"(serving metrics on http://127\.0\.0\.1:(\d+))"), 30s);
  if (!g->serve_port) return "teebench did not serve: " + slurp(d + "/new.log");

  // Prometheus, scraping both every second and evaluating the project's rules every second: the
  // rule files as shipped but for their groups' intervals (1 m, 1 h), which are deployment policy
  // and longer than this test.
  for (const char* f : {"recording.yml", "alerts.yml"}) {
    std::ifstream in(kSource + "/dashboards/prometheus/rules/" + f);
    std::ofstream out(d + "/" + f);
    for (std::string line; std::getline(in, line);)
      if (line.find("interval:") == std::string::npos) out << line << "\n";
  }
  std::ofstream(d + "/prometheus.yml")
      << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
      << "rule_files: [" << d << "/recording.yml, " << d << "/alerts.yml]\n"
      << "scrape_configs:\n"
      << "  - job_name: teebench_live\n"
      << "    static_configs: [{targets: ['127.0.0.1:" << g->serve_port << "']}]\n"
      << "  - job_name: pushgateway\n"
      << "    honor_labels: true\n"
      << "    static_configs: [{targets: ['127.0.0.1:" << g->pg_port << "']}]\n";
  int rc = 0;
  const std::string check = run_command("promtool check config " + d + "/prometheus.yml 2>&1", &rc);
  if (rc != 0) return "promtool check config: " + check;
  g->prometheus = spawn({"/usr/bin/prometheus", "--config.file=" + d + "/prometheus.yml",
                         "--storage.tsdb.path=" + d + "/data", "--web.listen-address=127.0.0.1:0",
                         "--storage.tsdb.retention.time=1h"},
                        d + "/prometheus.log");
  g->prom_port = logged_port(d + "/prometheus.log", listening, 30s);
  if (!g->prom_port) return "Prometheus did not start: " + slurp(d + "/prometheus.log");

  // A scrape of our own mid-run, for promtool check metrics.
  std::this_thread::sleep_for(2s);
  g->exposition = run_command(
      "curl -sS --max-time 10 http://127.0.0.1:" + std::to_string(g->serve_port) + "/metrics");
  g->run_exit = wait_exit(g->run, 180s);
  if (g->run_exit != 0 && g->run_exit != 1)
    return "the served run failed (exit " + std::to_string(g->run_exit) +
           "): " + slurp(d + "/new.log");
  g->results = json::parse(slurp(d + "/new/results.json"), nullptr, false);

  Child exp =
      spawn({TEEBENCH_BIN, "export", d + "/base/results.json", "--push", pg}, d + "/export.log");
  g->export_exit = wait_exit(exp, 60s);
  if (g->export_exit != 0) return "teebench export failed: " + slurp(d + "/export.log");

  // Wait until Prometheus has scraped both pushed runs from the gateway and evaluated the rules.
  for (int i = 0; i < 200; ++i) {
    g->end = now_s();
    const json r = query("count by (optee_version) (teebench_run_running{job=\"teebench\"} == 0)");
    const json rules = query("count(teebench:call_duration_seconds:p99)");
    if (r.is_array() && r.size() == 2 && rules.is_array() && !rules.empty()) break;
    std::this_thread::sleep_for(100ms);
  }
  std::this_thread::sleep_for(2s);  // one more rule evaluation over the final data
  g->end = now_s();
  return {};
}

class Prometheus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    g = new Stack;
    g->failure = setup();
  }
  static void TearDownTestSuite() {
    stop(g->run);
    stop(g->prometheus);
    stop(g->pushgateway);
    if (!g->dir.empty() && g->failure.empty() && !::testing::Test::HasFailure() &&
        !std::getenv("TEEBENCH_KEEP_PROM"))
      fs::remove_all(g->dir);
    else if (!g->dir.empty())
      std::fprintf(stderr, "logs and data kept in %s\n", g->dir.c_str());
    delete g;
    g = nullptr;
  }
  void SetUp() override {
    if (!g->skip.empty()) GTEST_SKIP() << g->skip;
    ASSERT_EQ(g->failure, "");
  }
};

// Every case x op of results.json, added over repetitions (as the exporter does).
struct OpFigures {
  uint64_t count = 0;
  std::vector<std::pair<uint64_t, uint64_t>> bins;  // HDR bins (lowest ns, count)
};
std::map<std::string, OpFigures> ops_of(const json& results) {
  std::map<std::string, OpFigures> out;
  for (const auto& c : results["cases"])
    for (const auto& o : c["operations"]) {
      if (o["clients"].empty()) continue;  // a group switched off in this case: no series
      auto& f = out[c["label"].get<std::string>() + "|" + o["group"].get<std::string>() + "|" +
                    o["op"].get<std::string>()];
      f.count += o["count"].get<uint64_t>();
      for (const auto& b : measure::Histogram::bins_from_json(o["histogram"]))
        f.bins.emplace_back(b);
    }
  return out;
}

std::string key_of(const json& metric) {
  return metric.value("case", "") + "|" + metric.value("group", "") + "|" + metric.value("op", "");
}

TEST_F(Prometheus, CountsOfEveryOpMatchResultsJsonLiveAndPushed) {
  const auto ops = ops_of(g->results);
  ASSERT_GT(ops.size(), 20u);
  for (const std::string job : {"teebench_live", "teebench"}) {
    // The live series as last scraped (--serve-linger waited for that scrape): they went stale
    // when the run ended, so the last sample of each.
    auto last = [&](const std::string& selector) {
      return query("last_over_time(" + selector + "[2m])");
    };
    const json r =
        last("teebench_calls_total{result=\"ok\", optee_version=\"4.9.0\", job=\"" + job + "\"}");
    ASSERT_TRUE(r.is_array()) << r.dump();
    std::map<std::string, double> seen;
    for (const auto& s : r) seen[key_of(s["metric"])] = std::stod(s["value"][1].get<std::string>());
    for (const auto& [k, f] : ops) {
      ASSERT_TRUE(seen.count(k)) << job << ": no teebench_calls_total for " << k << " (of "
                                 << seen.size() << " series: " << r.dump().substr(0, 600) << ")";
      EXPECT_EQ(seen[k], static_cast<double>(f.count)) << job << " " << k;
    }
    const json h =
        last("teebench_call_duration_seconds_count{optee_version=\"4.9.0\", job=\"" + job + "\"}");
    ASSERT_EQ(h.size(), ops.size()) << job;
    for (const auto& s : h)
      EXPECT_EQ(std::stod(s["value"][1].get<std::string>()),
                static_cast<double>(ops.at(key_of(s["metric"])).count))
          << job << " " << key_of(s["metric"]);
  }
}

// histogram_quantile() over the exported buckets lands in the bucket that holds the exact
// percentile of the same calls (the E6 bounds; each HDR bin counted at its lowest value).
TEST_F(Prometheus, PercentilesFromTheHistogramFallInTheRightBucket) {
  static const double kE6[] = {1.0, 1.5, 2.2, 3.3, 4.7, 6.8};
  std::vector<double> bounds;
  for (double scale = 1e-7; scale < 20; scale *= 10)
    for (double m : kE6) bounds.push_back(m * scale);
  const auto ops = ops_of(g->results);
  int checked = 0;
  for (const double q : {0.5, 0.99}) {
    const json r = query("histogram_quantile(" + std::to_string(q) +
                         ", sum by (case, group, op, le) (teebench_call_duration_seconds_bucket{"
                         "optee_version=\"4.9.0\", job=\"teebench\"}))");
    ASSERT_TRUE(r.is_array()) << r.dump();
    for (const auto& s : r) {
      const OpFigures& f = ops.at(key_of(s["metric"]));
      if (f.count == 0) continue;
      auto bins = f.bins;
      std::sort(bins.begin(), bins.end());
      // The exact percentile by the same rule Prometheus applies: the rank q * count.
      const double rank = q * static_cast<double>(f.count);
      double cum = 0, exact = 0;
      for (const auto& [v, n] : bins) {
        cum += static_cast<double>(n);
        if (cum >= rank) {
          exact = static_cast<double>(v) / 1e9;
          break;
        }
      }
      const auto hi = std::lower_bound(bounds.begin(), bounds.end(), exact * (1 - 1e-12));
      const double upper = hi == bounds.end() ? INFINITY : *hi;
      const double lower = hi == bounds.begin() ? 0 : *(hi - 1);
      const double got = std::stod(s["value"][1].get<std::string>());
      EXPECT_GE(got, lower * (1 - 1e-9)) << key_of(s["metric"]) << " q=" << q << " exact " << exact;
      EXPECT_LE(got, upper * (1 + 1e-9)) << key_of(s["metric"]) << " q=" << q << " exact " << exact;
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
}

// What every dashboard query means once Grafana fills in its variables.
std::string fill(std::string expr) {
  const std::pair<const char*, const char*> vars[] = {{"$__rate_interval", "5s"},
                                                      {"$base_version", "4.0"},
                                                      {"$new_version", "4.9.0"},
                                                      {"$optee_version", ".*"},
                                                      {"$target", ".*"},
                                                      {"$board", ".*"},
                                                      {"$job", ".*"}};
  for (const auto& [k, v] : vars)
    for (size_t p; (p = expr.find(k)) != std::string::npos;) expr.replace(p, strlen(k), v);
  return expr;
}

TEST_F(Prometheus, EveryDashboardQueryReturnsData) {
  int queries = 0;
  for (const auto& e : fs::directory_iterator(kSource + "/dashboards/grafana")) {
    const json board = json::parse(slurp(e.path().string()));
    const std::string name = e.path().filename().string();
    for (const auto& a : board["annotations"]["list"])
      if (a.contains("target")) {
        const json r = query_range(fill(a["target"]["expr"]));
        EXPECT_TRUE(r.is_array() && !r.empty())
            << name << " annotation " << a["name"] << ": " << a["target"]["expr"] << " -> " << r;
        ++queries;
      }
    for (const auto& v : board["templating"]["list"])
      if (v["type"] == "query") {
        // label_values(METRIC{...}, LABEL): the metric has that label somewhere.
        std::smatch m;
        const std::string q = fill(v["query"]);
        ASSERT_TRUE(std::regex_match(q, m, std::regex(R"(label_values\((.*), (\w+)\))"))) << q;
        const json r = query("count by (" + m[2].str() + ") (" + m[1].str() + ")");
        EXPECT_TRUE(r.is_array() && !r.empty()) << name << " variable " << v["name"] << ": " << r;
        ++queries;
      }
    for (const auto& p : board["panels"]) {
      if (p["type"] == "row") continue;
      for (const auto& t : p["targets"]) {
        const std::string expr = fill(t["expr"]);
        const json r = t.value("range", false) ? query_range(expr) : query(expr);
        EXPECT_TRUE(r.is_array() && !r.empty())
            << name << " panel \"" << p["title"].get<std::string>() << "\": " << expr << " -> "
            << r.dump();
        ++queries;
      }
    }
  }
  EXPECT_GT(queries, 60);
}

// An alert's condition with its comparisons made `bool`: 0 or 1 for every series it looks at, so
// "no data" means the rule refers to something the exporter does not emit (comparisons inside
// label matchers, {...}, are left alone).
std::string as_bool(const std::string& expr) {
  std::string out;
  int braces = 0;
  bool quoted = false;
  for (size_t i = 0; i < expr.size(); ++i) {
    const char c = expr[i];
    if (c == '"' && (i == 0 || expr[i - 1] != '\\')) quoted = !quoted;
    if (!quoted && c == '{') ++braces;
    if (!quoted && c == '}') --braces;
    if (!quoted && braces == 0 &&
        (c == '>' || c == '<' ||
         ((c == '=' || c == '!') && i + 1 < expr.size() && expr[i + 1] == '='))) {
      size_t len = (i + 1 < expr.size() && expr[i + 1] == '=') ? 2 : 1;
      out += expr.substr(i, len) + " bool";
      i += len - 1;
      continue;
    }
    out += c;
  }
  return out;
}

TEST_F(Prometheus, EveryRuleReturnsDataAndEvaluatesCleanly) {
  const json rules = api("/api/v1/rules");
  ASSERT_EQ(rules.value("status", ""), "success") << rules.dump();
  int n = 0;
  for (const auto& group : rules["data"]["groups"])
    for (const auto& rule : group["rules"]) {
      EXPECT_EQ(rule.value("health", ""), "ok")
          << rule["name"] << ": " << rule.value("lastError", "");
      const std::string expr = rule["query"];
      const std::string q = rule["type"] == "alerting" ? as_bool(expr) : expr;
      const json r = query(q);
      EXPECT_TRUE(r.is_array() && !r.empty()) << rule["name"] << ": " << q << " -> " << r.dump();
      ++n;
    }
  EXPECT_EQ(n, 10);
  // The recording rules' own series exist too.
  for (const char* rec : {"teebench:call_duration_seconds:p99", "teebench:calls:per_second",
                          "teebench:call_duration_seconds:p99:min_1h"})
    EXPECT_FALSE(query(rec).empty()) << rec;
}

TEST_F(Prometheus, PromtoolAcceptsTheExpositionAndTheRules) {
  ASSERT_FALSE(g->exposition.empty());
  std::ofstream(g->dir + "/exposition.txt") << g->exposition;
  int rc = -1;
  std::string out = run_command("promtool check metrics < " + g->dir + "/exposition.txt 2>&1", &rc);
  EXPECT_EQ(rc, 0) << out;
  out = run_command(std::string(TEEBENCH_BIN) + " export " + g->dir +
                        "/new/results.json | promtool check metrics 2>&1",
                    &rc);
  EXPECT_EQ(rc, 0) << out;
  out = run_command("promtool check rules " + kSource + "/dashboards/prometheus/rules/*.yml 2>&1",
                    &rc);
  EXPECT_EQ(rc, 0) << out;
  out = run_command(
      "promtool check config " + kSource + "/dashboards/prometheus/prometheus.yml 2>&1", &rc);
  EXPECT_EQ(rc, 0) << out;
}

// The run and the export pushed to two groups, each under its own grouping key; neither push
// removed the other.
TEST_F(Prometheus, EachRunHasItsOwnPushgatewayGroup) {
  const std::string out = run_command(
      "curl -sS --max-time 10 http://127.0.0.1:" + std::to_string(g->pg_port) + "/api/v1/metrics");
  const json j = json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  std::set<std::string> versions;
  for (const auto& grp : j["data"]) {
    const auto& labels = grp["labels"];
    EXPECT_EQ(labels.value("job", ""), "teebench");
    EXPECT_EQ(labels.value("board", ""), "ci-board");
    EXPECT_EQ(labels.value("workload", ""), "metrics");
    EXPECT_FALSE(labels.value("instance", "").empty());
    versions.insert(labels.value("optee_version", "(none)"));
  }
  // The 4.9.0 run was labelled by the user; the base run's group has no optee_version label (its
  // series carry the revision the target reported, 4.0).
  EXPECT_EQ(versions, (std::set<std::string>{"4.9.0", "(none)"}));
  EXPECT_FALSE(query("teebench_run_info{optee_version=\"4.0\", job=\"teebench\"}").empty());
}

}  // namespace
