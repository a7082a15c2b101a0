#include "reports/run_file.h"
#include "reports/json_input.h"

#include <fmt/core.h>

#include <fstream>
#include <map>

namespace reports {

using nlohmann::json;

namespace {

// The latency figures compared per operation.
struct PercentileFigure {
  const char* name;
  const char* json_key;  // in latency_ns, for a file without histograms
  double p;
};
constexpr PercentileFigure kPercentiles[] = {
    {"p50", "p50", 50}, {"p90", "p90", 90}, {"p99", "p99", 99}, {"p99.9", "p99_9", 99.9}};

json read_document(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("cannot read {}: no such file or not readable", path));
  json doc = parse_json_or_discarded(in);
  if (doc.is_discarded() || !doc.is_object())
    throw InputError(
        fmt::format("{} is not JSON (give a results.json written by teebench run, or "
                    "a Google Benchmark --benchmark_out file)",
                    path));
  return doc;
}

// What identifies a case across runs: its own parameters (the sweep values, scenario, workload
// part), but not the stack configuration, which is what two runs under comparison often differ by
// (driver, profile, release) and which compare prints among the context differences instead.
std::string case_key(const json& params) {
  json p = params.is_object() ? params : json::object();
  p.erase("configuration");
  return p.dump();
}

double nanoseconds(double v, const std::string& unit) {
  if (unit == "us") return v * 1e3;
  if (unit == "ms") return v * 1e6;
  if (unit == "s") return v * 1e9;
  return v;
}

Figure& figure(Series& s, const std::string& name, bool lower_is_better, const std::string& unit) {
  for (auto& f : s.figures)
    if (f.name == name) return f;
  s.figures.push_back(Figure{name, lower_is_better, unit, {}, 0, {}, {}});
  return s.figures.back();
}

void read_teebench(const json& doc, const std::string& name, ComparableRun& run) {
  const std::string schema = doc.value("schema", "");
  if (schema.empty())
    throw InputError(
        fmt::format("{} is neither a teebench results.json nor Google Benchmark JSON "
                    "output: give the results.json a run wrote",
                    name));
  if (schema != "teebench-results/1")
    throw InputError(
        fmt::format("{}: schema '{}' is not one this teebench reads "
                    "(teebench-results/1); compare it with the teebench that wrote it",
                    name, schema));
  run.status = doc.value("status", "unknown");
  std::map<std::string, size_t> index;  // series key -> position
  for (const auto& c : doc.value("cases", json::array())) {
    // A case cut short (Ctrl-C, a hang) has figures of a different length of run: not comparable.
    if (!c.value("complete", false)) continue;
    const json params = c.value("params", json::object());
    const std::string ckey = case_key(params);
    const std::string scenario = params.value("scenario", "generic");
    const std::string label = c.value("label", "?");
    for (const auto& o : c.value("operations", json::array())) {
      const uint64_t count = o.value("count", uint64_t{0});
      const std::string op = o.value("group", "?") + "/" + o.value("op", "?");
      const std::string key = ckey + " " + op;
      auto [it, fresh] = index.emplace(key, run.series.size());
      if (fresh) run.series.push_back(Series{key, scenario, label, op, {}});
      Series& s = run.series[it->second];
      if (count == 0) continue;  // a group that issued nothing in this repetition
      measure::Histogram* h = nullptr;
      if (o.contains("histogram")) {
        try {
          run.histogram_store.push_back(
              std::make_unique<measure::Histogram>(measure::Histogram::from_json(o["histogram"])));
          h = run.histogram_store.back().get();
        } catch (const std::exception& e) {
          throw InputError(
              fmt::format("{}: case '{}' {}: bad histogram ({})", name, label, op, e.what()));
        }
      }
      for (const auto& pf : kPercentiles) {
        Figure& f = figure(s, pf.name, true, "ns");
        f.percentile = pf.p;
        f.values.push_back(h ? static_cast<double>(h->percentile(pf.p))
                             : o.value("latency_ns", json::object()).value(pf.json_key, 0.0));
        f.histograms.push_back(h);
        f.calls.push_back(count);
      }
      Figure& t = figure(s, "throughput", false, "1/s");
      t.values.push_back(o.value("throughput_per_s", 0.0));
      t.calls.push_back(count);
    }
    for (const auto& v : c.value("verdicts", json::array()))
      run.verdicts.push_back(VerdictRecord{scenario + " " + ckey + " " + v.value("name", ""), label,
                                           v.value("name", ""), v.value("outcome", ""),
                                           v.value("detail", "")});
  }
  for (const auto& v : doc.value("verdicts", json::array()))
    run.verdicts.push_back(VerdictRecord{"run " + v.value("name", ""), "(run)", v.value("name", ""),
                                         v.value("outcome", ""), v.value("detail", "")});
  // Series whose every repetition issued nothing carry no figure.
  std::erase_if(run.series, [](const Series& s) { return s.figures.empty(); });
  const json& ctx = run.context;
  run.deterministic = ctx.contains("qemu") && ctx["qemu"].value("icount", false);
}

void read_google_benchmark(const json& doc, ComparableRun& run) {
  run.format = "google-benchmark";
  run.status = "complete";
  std::map<std::string, size_t> index;
  for (const auto& b : doc["benchmarks"]) {
    // Aggregates (mean, median, stddev) are computed from the iterations; compare those.
    if (b.value("run_type", "iteration") != "iteration") continue;
    if (b.value("error_occurred", false)) continue;
    const std::string bname = b.value("run_name", b.value("name", "?"));
    auto [it, fresh] = index.emplace(bname, run.series.size());
    if (fresh) run.series.push_back(Series{bname, "microbenchmark", bname, "", {}});
    Series& s = run.series[it->second];
    const std::string unit = b.value("time_unit", "ns");
    for (const char* field : {"real_time", "cpu_time"}) {
      if (!b.contains(field)) continue;
      Figure& f = figure(s, field, true, "ns");
      f.values.push_back(nanoseconds(b[field].get<double>(), unit));
      f.calls.push_back(b.value("iterations", uint64_t{0}));
    }
    if (b.contains("items_per_second")) {
      Figure& f = figure(s, "items_per_second", false, "1/s");
      f.values.push_back(b["items_per_second"].get<double>());
      f.calls.push_back(b.value("iterations", uint64_t{0}));
    }
  }
}

}  // namespace

ComparableRun comparable_from_json(const json& doc, const std::string& name) {
  ComparableRun run;
  run.path = name;
  run.format = "teebench";
  run.context = doc.value("context", json::object());
  try {
    if (doc.contains("benchmarks") && doc["benchmarks"].is_array())
      read_google_benchmark(doc, run);
    else
      read_teebench(doc, name, run);
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: malformed results ({})", name, e.what()));
  }
  if (run.series.empty())
    throw InputError(
        fmt::format("{}: no measured operation to compare (status {}); was the run "
                    "stopped before its first case finished?",
                    name, run.status));
  return run;
}

ComparableRun load_comparable(const std::string& path) {
  return comparable_from_json(read_document(path), path);
}

}  // namespace reports
