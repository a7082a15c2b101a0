// `teebench compare` and `teebench report` as a user runs them: real runs of the emulated stack,
// the gate's exit codes, every input error as one line and exit 2, and the HTML pages rendered by
// Debian's headless Chromium (installed by scripts/setup.sh): not blank, no console errors, nothing
// fetched, every section there.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Output {
  int code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Per process: the default, ASan and TSan builds may run this suite at the same time.
std::string temp(const std::string& name) {
  return ::testing::TempDir() + "/report-" + std::to_string(::getpid()) + "-" + name;
}

Output sh(const std::string& cmd, const std::string& tag) {
  const std::string out = temp(tag + ".out"), err = temp(tag + ".err");
  const int rc = std::system((cmd + " >" + out + " 2>" + err).c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : 128, slurp(out), slurp(err)};
}

Output teebench(const std::string& args, const std::string& tag) {
  return sh(std::string(TEEBENCH_BIN) + " " + args, tag);
}

size_t lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// Two real runs, four repetitions each (enough for the U test at 0.05): four callers whose TA
// call waits 2 ms, against 4 secure threads and then against 1 — a real regression of the stack
// (callers queue for the one thread: ~4x the latency, a quarter of the throughput). Waiting, not
// computing, so it stays that large in the ASan and TSan builds, where the emulator's own cost is
// 10-100x (a platform profile's added microseconds vanish in that).
class CompareAndReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string w = temp("wait4.json");
    std::ofstream(w) << R"({"name": "wait4", "warmup_s": 0.05, "duration_s": 0.3,
      "repetitions": 4, "groups": [{"name": "callers", "clients": 4,
      "mix": [{"op": "wait", "ms": 2}]}]})";
    for (const char* threads : {"4", "1"}) {
      const auto o = teebench("run " + w + " --set CFG_NUM_THREADS=" + threads + " --force --out " +
                                  temp(std::string("run-") + threads),
                              std::string("run-") + threads);
      ASSERT_EQ(o.code, 0) << o.out << o.err;
    }
  }
  static std::string results(const std::string& threads) {
    return temp("run-" + threads) + "/results.json";
  }
};

TEST_F(CompareAndReport, TheGateFailsOnARealRegressionOnly) {
  const std::string html = temp("compare.html");
  const auto slower = teebench("compare " + results("4") + " " + results("1") + " --html " + html +
                                   " --markdown " + temp("compare.md"),
                               "cmp-slower");
  EXPECT_EQ(slower.code, 1) << slower.out << slower.err;
  EXPECT_NE(slower.out.find("REGRESSION"), std::string::npos) << slower.out;
  EXPECT_NE(slower.out.find("different secure thread counts"), std::string::npos) << slower.out;
  EXPECT_TRUE(fs::exists(html));
  EXPECT_NE(slurp(temp("compare.md")).find("**REGRESSION**"), std::string::npos);

  const auto faster = teebench("compare " + results("1") + " " + results("4"), "cmp-faster");
  EXPECT_EQ(faster.code, 0) << faster.out << faster.err;
  EXPECT_NE(faster.out.find("improvement"), std::string::npos) << faster.out;

  const auto same = teebench("compare " + results("4") + " " + results("4"), "cmp-same");
  EXPECT_EQ(same.code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("0 regressions, 0 improvements"), std::string::npos) << same.out;
}

TEST_F(CompareAndReport, InputErrorsAreOneLineAndExitTwo) {
  const std::string not_json = temp("not.json"), schema = temp("schema.json"),
                    other = temp("other.json");
  std::ofstream(not_json) << "{ this is not json";
  std::ofstream(schema) << R"({"schema": "teebench-results/99", "cases": []})";
  // Another workload: no case in common.
  std::string doc = slurp(results("4"));
  doc = std::regex_replace(doc, std::regex("\"workload\": \"wait4\""), "\"workload\": \"other\"");
  std::ofstream(other) << doc;
  const std::string base = results("4");
  const std::pair<std::string, std::string> bad[] = {
      {"compare /nonexistent.json " + base, "nonexistent"},
      {"compare " + not_json + " " + base, "not JSON"},
      {"compare " + base + " " + schema, "teebench-results/99"},
      {"compare " + base + " " + other, "no case in common"},
      {"compare " + base + " " + base + " --min-effect lots", "--min-effect"},
      {"compare " + base + " " + base + " --alpha 2", "--alpha"},
      {"report /nonexistent.json", "nonexistent"},
      {"report " + schema, "schema"},
  };
  // A missing argument is CLI11's usage error: its line and a "Run with --help" hint.
  EXPECT_EQ(teebench("compare " + base, "usage").code, 2);
  int i = 0;
  for (const auto& [args, says] : bad) {
    const auto o = teebench(args, "bad" + std::to_string(i++));
    EXPECT_EQ(o.code, 2) << args << "\n" << o.err;
    EXPECT_EQ(lines(o.err), 1u) << args << "\n" << o.err;
    EXPECT_NE(o.err.find(says), std::string::npos) << args << "\n" << o.err;
  }
}

struct Rendered {
  std::string dom, console;
  double ink = 0;
  int colours = 0;
};

Rendered render(const std::string& html, const std::string& tag) {
  Rendered r;
  if (!fs::exists("/usr/bin/chromium")) {
    ADD_FAILURE() << "no /usr/bin/chromium: run scripts/setup.sh";
    return r;
  }
  // A profile of its own per render: tests run in parallel.
  const std::string chrome =
      "/usr/bin/chromium --headless=new --no-sandbox --disable-gpu "
      "--hide-scrollbars --enable-logging=stderr --v=0 --user-data-dir=" +
      temp(tag + "-profile");
  const auto dom = sh(chrome + " --dump-dom file://" + html, tag + "-dom");
  r.dom = dom.out;
  const std::string png = temp(tag + ".png");
  const auto shot =
      sh(chrome + " --window-size=1280,2000 --screenshot=" + png + " file://" + html, tag + "-png");
  for (const std::string* log : {&dom.err, &shot.err}) {
    std::istringstream in(*log);
    for (std::string line; std::getline(in, line);)
      if (line.find(":CONSOLE") != std::string::npos) r.console += line + "\n";
  }
  const auto ink =
      sh("python3 " TEEBENCH_SOURCE_DIR "/tests/report/png_ink.py " + png, tag + "-ink");
  std::istringstream(ink.out) >> r.ink >> r.colours;
  return r;
}

void expect_self_contained(const std::string& page) {
  EXPECT_EQ(page.find("<script"), std::string::npos) << "the page must not need a script";
  // Nothing fetched: every src and href is a fragment within the page.
  static const std::regex fetch(R"((src|href)\s*=\s*"[^#"][^"]*")");
  std::smatch m;
  EXPECT_FALSE(std::regex_search(page, m, fetch)) << "fetches " << m.str();
}

TEST_F(CompareAndReport, RunReportRendersInChromium) {
  const std::string html = temp("run-4") + "/report.html";
  ASSERT_TRUE(fs::exists(html)) << "teebench run did not write report.html";
  expect_self_contained(slurp(html));
  const auto r = render(html, "run-report");
  EXPECT_EQ(r.console, "") << "console messages while rendering";
  EXPECT_GT(r.ink, 0.02) << "the page is (nearly) blank";
  EXPECT_GT(r.colours, 20);
  for (const char* id : {"id=\"verdicts\"", "id=\"environment\"", "id=\"part-wait4\"",
                         "id=\"context\"", "latency by percentile", "p99 per interval"})
    EXPECT_NE(r.dom.find(id), std::string::npos) << id;
  EXPECT_GE(std::count(r.dom.begin(), r.dom.end(), '<') - 0, 10);
}

TEST_F(CompareAndReport, ComparePageRendersInChromium) {
  const std::string html = temp("compare-page.html");
  teebench("compare " + results("4") + " " + results("1") + " --html " + html, "cmp-page");
  ASSERT_TRUE(fs::exists(html));
  expect_self_contained(slurp(html));
  const auto r = render(html, "compare-page");
  EXPECT_EQ(r.console, "");
  EXPECT_GT(r.ink, 0.02);
  for (const char* id : {"id=\"outcome\"", "id=\"warnings\"", "id=\"verdicts\"", "id=\"figures\"",
                         "id=\"distributions\"", "id=\"context\"", "BASE (solid) vs NEW (dashed)",
                         "class=\"regression\""})
    EXPECT_NE(r.dom.find(id), std::string::npos) << id;
}

TEST_F(CompareAndReport, ReportCommandWritesMarkdownAndHtml) {
  const std::string md = temp("report.md"), html = temp("report-cmd.html");
  const auto o =
      teebench("report " + results("4") + " --markdown " + md + " --html " + html, "report");
  ASSERT_EQ(o.code, 0) << o.err;
  const std::string text = slurp(md);
  EXPECT_NE(text.find("| callers/wait |"), std::string::npos) << text;
  EXPECT_NE(slurp(html).find("<svg"), std::string::npos);
}

}  // namespace
