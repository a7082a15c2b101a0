#include "reports/results.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/core.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace reports {

using nlohmann::json;

uint64_t OpResult::error_total() const {
  uint64_t n = 0;
  for (const auto& [k, v] : errors) n += v;
  return n;
}

const OpResult* CaseResult::find(const std::string& group, const std::string& op) const {
  for (const auto& o : ops)
    if (o.group == group && o.op == op) return &o;
  return nullptr;
}

bool RunResult::any_failed() const {
  for (const auto& v : verdicts)
    if (v.outcome == Outcome::kFail) return true;
  for (const auto& c : cases)
    for (const auto& v : c.verdicts)
      if (v.outcome == Outcome::kFail) return true;
  return false;
}

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kFail:
      return "fail";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "?";
}

bool is_expectation(std::string_view name) {
  if (const auto slash = name.rfind('/'); slash != std::string_view::npos)
    name = name.substr(slash + 1);
  static constexpr std::string_view kExpectations[] = {"throughput_plateau", "recovery",
                                                       "neighbours_keep_latency",
                                                       "registered_once_cheaper_than_tmpref"};
  for (auto e : kExpectations)
    if (name == e) return true;
  return false;
}

namespace {

json percentiles(const measure::Histogram& h) {
  return {{"p50", h.percentile(50)},
          {"p90", h.percentile(90)},
          {"p99", h.percentile(99)},
          {"p99_9", h.percentile(99.9)},
          {"p99_99", h.percentile(99.99)},
          {"max", h.max()},
          {"min", h.min()},
          {"mean", h.mean()}};
}

json to_json(const Verdict& v) {
  return {{"name", v.name},
          {"kind", is_expectation(v.name) ? "expectation" : "invariant"},
          {"outcome", to_string(v.outcome)},
          {"detail", v.detail},
          {"evidence", v.evidence}};
}

}  // namespace

json to_json(const OpResult& r) {
  json j = {{"group", r.group},
            {"op", r.op},
            {"guest", r.guest},
            {"count", r.count},
            {"issued", r.issued},
            {"errors", r.errors},
            {"error_total", r.error_total()},
            {"duration_s", r.duration_s},
            {"throughput_per_s", r.throughput_per_s},
            {"latency_ns", percentiles(r.latency)},
            {"histogram", r.latency.to_json()}};
  json iv = json::array();
  for (const auto& p : r.intervals)
    iv.push_back({{"t_s", p.t_s},
                  {"count", p.count},
                  {"errors", p.errors},
                  {"p50_ns", p.p50_ns},
                  {"p99_ns", p.p99_ns},
                  {"max_ns", p.max_ns}});
  j["intervals"] = iv;
  json cl = json::array();
  for (const auto& c : r.clients)
    cl.push_back({{"client", c.client},
                  {"count", c.count},
                  {"errors", c.errors},
                  {"p99_ns", c.p99_ns},
                  {"max_ns", c.max_ns},
                  {"throughput_per_s", c.throughput_per_s},
                  {"longest_gap_ns", c.longest_gap_ns},
                  {"finished_s", c.finished_s >= 0 ? json(c.finished_s) : json(nullptr)}});
  j["clients"] = cl;
  if (r.completion)
    j["completion_s"] = {{"clients", r.completion->clients},
                         {"min", r.completion->min_s},
                         {"p50", r.completion->p50_s},
                         {"p90", r.completion->p90_s},
                         {"max", r.completion->max_s}};
  if (!r.steps.empty()) {
    json st = json::array();
    for (const auto& s : r.steps)
      st.push_back({{"step", s.step},
                    {"count", s.count},
                    {"throughput_per_s", s.throughput_per_s},
                    {"p50_ns", s.p50_ns},
                    {"p99_ns", s.p99_ns}});
    j["steps"] = st;
  }
  if (r.schedule_lag) {
    j["schedule_lag_ns"] = percentiles(*r.schedule_lag);
    j["schedule_lag_histogram"] = r.schedule_lag->to_json();
  }
  if (!r.samples.empty()) j["samples"] = r.samples;
  return j;
}

json to_json(const CaseResult& c) {
  json ops = json::array();
  for (const auto& o : c.ops) ops.push_back(to_json(o));
  json verdicts = json::array();
  for (const auto& v : c.verdicts) verdicts.push_back(to_json(v));
  return {{"label", c.label},
          {"params", c.params},
          {"repetition", c.repetition},
          {"complete", c.complete},
          {"duration_s", c.duration_s},
          {"operations", ops},
          {"counters", c.counters},
          {"perf", c.perf},
          {"occupancy", c.occupancy},
          {"metrics", c.metrics},
          {"verdicts", verdicts},
          {"timing_caveat", c.timing_caveat.empty() ? json(nullptr) : json(c.timing_caveat)}};
}

json to_json(const RunResult& r) {
  json cases = json::array();
  for (const auto& c : r.cases) cases.push_back(to_json(c));
  json verdicts = json::array();
  for (const auto& v : r.verdicts) verdicts.push_back(to_json(v));
  return {{"schema", "teebench-results/1"},
          {"status", r.status},
          {"context", r.context},
          {"workload", r.workload},
          {"cases", cases},
          {"metrics", r.metrics},
          {"verdicts", verdicts}};
}

void write_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  size_t off = 0;
  while (off < content.size()) {
    const ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error(fmt::format("cannot write {}: {}{}", tmp, std::strerror(e),
                                           e == ENOSPC ? " (free some space or use --out)" : ""));
    }
    off += static_cast<size_t>(n);
  }
  // Data on disk before the rename makes it visible: a crash leaves the old or the new file.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot flush {}: {}", tmp, std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(
        fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(errno)));
}

}  // namespace reports
