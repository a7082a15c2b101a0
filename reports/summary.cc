#include "reports/summary.h"

#include "reports/text.h"

#include <fmt/core.h>

#include <map>
#include <set>
#include <vector>

namespace reports {

using nlohmann::json;

namespace {

std::string rate(double v) {
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e4) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

constexpr size_t kOpWidth = 28;  // group/op names up to this fit the column

std::string op_row(const std::string& name, uint64_t count, uint64_t errors, double per_s,
                   const measure::Histogram& h, uint32_t reps) {
  std::string head = "    " + name;
  // A long name keeps its whole text; its figures go on the next line, aligned.
  if (name.size() > kOpWidth)
    head += "\n" + std::string(4 + kOpWidth, ' ');
  else
    head += std::string(kOpWidth - name.size(), ' ');
  return head + fmt::format(" {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}{}\n", count, errors,
                            rate(per_s), human_ns(static_cast<double>(h.percentile(50))),
                            human_ns(static_cast<double>(h.percentile(99))),
                            human_ns(static_cast<double>(h.percentile(99.9))),
                            human_ns(static_cast<double>(h.max())),
                            reps > 1 ? fmt::format("  ({} reps)", reps) : "");
}

const char* kHeader =
    "    group/op                          calls    errors   calls/s       p50       p99     "
    "p99.9       max\n";

// ---- the scenarios' headline figures ---------------------------------------------------------

std::string number(const json& v, const char* key, double scale = 1) {
  return v.contains(key) && v[key].is_number() ? fmt::format("{:.3g}", v[key].get<double>() * scale)
                                               : "?";
}

// One line under a case's label.
std::string case_headline(const std::string& scenario, const CaseResult& c) {
  const json& m = c.metrics;
  if (scenario == "exhaustion" && m.contains("throughput_vs_ceiling"))
    return fmt::format(
        "plateau {}% of the ceiling {}/s, fairness {}, queue wait p99 {}",
        number(m, "throughput_vs_ceiling", 100), number(m, "ceiling_per_s"),
        number(m, "jain_fairness"),
        m.contains("queue_wait_ns") ? human_ns(m["queue_wait_ns"].value("p99", 0.0)) : "?");
  if (scenario == "ocall" && m.contains("round_trip"))
    return fmt::format("round trip {} = {}x the null invoke",
                       human_ns(m["round_trip"].value("per_round_trip_ns", 0.0)),
                       number(m["round_trip"], "x_null_invoke"));
  return "";
}

// Lines after a part's table, from its run-level figures.
std::string part_headline(const std::string& scenario, const json& m) {
  std::string s;
  const json per_page = m.value("per_page_cost", json::object());
  const json overhead = m.value("mediator_overhead", json::object());
  const json noisy = m.value("noisy_neighbour", json::object());
  if (scenario == "shm")
    for (const auto& [k, v] : per_page.items())
      if (k.find("memref_read") != std::string::npos)
        s += fmt::format("  per-page slope {}: {} ns/page + {} ns fixed (r2 {})\n", k,
                         number(v, "ns_per_page"), number(v, "fixed_ns"), number(v, "r2"));
  if (scenario == "multiguest") {
    for (const auto& [k, v] : overhead.items())
      s += fmt::format("  mediator overhead {}: +{} ns p50 (x{})\n", k, number(v, "overhead_ns"),
                       number(v, "ratio"));
    for (const auto& [k, v] : noisy.items())
      s += fmt::format("  noisy neighbour {}: p99 x{} of quiet\n", k, number(v, "ratio"));
  }
  return s;
}

// ---- verdicts ----------------------------------------------------------------------------------

std::string verdict_block(const RunResult& r) {
  size_t held = 0, failed = 0, skipped = 0;
  std::string fails;
  auto add = [&](const std::string& where, const Verdict& v) {
    if (v.outcome == Outcome::kPass) ++held;
    if (v.outcome == Outcome::kSkipped) ++skipped;
    if (v.outcome != Outcome::kFail) return;
    ++failed;
    fails +=
        fmt::format("  FAIL ({}) {}{}: {}\n", is_expectation(v.name) ? "expectation" : "invariant",
                    where.empty() ? "" : where + " — ", v.name, v.detail);
  };
  for (const auto& c : r.cases)
    for (const auto& v : c.verdicts)
      add(c.label + (c.repetition ? fmt::format(" #{}", c.repetition) : ""), v);
  for (const auto& v : r.verdicts) add("", v);
  return fmt::format("verdicts: {} held, {} failed, {} not judged\n", held, failed, skipped) +
         fails;
}

// Operation-count runs: when each group's clients finished their equal share of work.
std::string completion_lines(const CaseResult& c) {
  std::string s;
  std::set<std::string> seen;
  for (const auto& o : c.ops) {
    if (!o.completion || !seen.insert(o.group).second) continue;
    const auto& t = *o.completion;
    s += fmt::format(
        "    {} finished: first {:.3g} s, p50 {:.3g} s, p90 {:.3g} s, last {:.3g} s"
        " ({} clients)\n",
        o.group, t.min_s, t.p50_s, t.p90_s, t.max_s, t.clients);
  }
  return s;
}

// The generic scenario's per-group figures: how evenly the clients were served.
std::string client_lines(const CaseResult& c) {
  std::string s;
  if (!c.metrics.contains("clients") || !c.metrics["clients"].is_object()) return s;
  for (const auto& [group, v] : c.metrics["clients"].items()) {
    const json gap = v.value("longest_gap_ns", json::object());
    s += fmt::format("    {}: longest gap without a completion {} worst, {} median{}\n", group,
                     human_ns(gap.value("worst", 0.0)), human_ns(gap.value("median", 0.0)),
                     v.contains("jain_fairness")
                         ? fmt::format("; fairness {}", number(v, "jain_fairness"))
                         : std::string());
  }
  return s;
}

// teebench's own process over the case (workloads/process_resources.h): first and last reading.
std::string process_line(const CaseResult& c) {
  const json& m = c.metrics.value("process_resources", json());
  if (!m.is_object() || !m.contains("first")) return {};
  const json& a = m["first"];
  const json& b = m["last"];
  if (b.value("t_s", 0.0) <= a.value("t_s", 0.0)) return {};  // one reading: no trend to show
  auto u = [](const json& j, const char* k) { return j.value(k, uint64_t{0}); };
  return fmt::format(
      "    process: RSS {:.1f} -> {:.1f} MiB, fds {} -> {}, threads {} -> {} over {:.0f} s\n",
      static_cast<double>(u(a, "rss_kib")) / 1024, static_cast<double>(u(b, "rss_kib")) / 1024,
      u(a, "fds"), u(b, "fds"), u(a, "threads"), u(b, "threads"),
      b.value("t_s", 0.0) - a.value("t_s", 0.0));
}

struct Pooled {
  const CaseResult* first = nullptr;
  std::vector<const OpResult*> ops;  // in the first repetition's order, then new ones
  std::map<std::string, std::vector<const OpResult*>> reps;  // group/op -> every repetition
};

}  // namespace

std::string run_summary(const RunResult& r, bool verbose) {
  const std::string verdicts = verdict_block(r);
  std::string out = verdicts;
  // Parts in the order they ran, their cases in order, repetitions pooled.
  std::vector<std::string> parts;
  std::map<std::string, std::vector<std::string>> labels;
  std::map<std::string, Pooled> cases;  // part + label
  std::map<std::string, std::string> scenario_of;
  for (const auto& c : r.cases) {
    const std::string part = c.params.value("workload", "run");
    if (!scenario_of.count(part)) {
      parts.push_back(part);
      scenario_of[part] = c.params.value("scenario", "generic");
    }
    Pooled& p = cases[part + "\n" + c.label];
    if (!p.first) {
      p.first = &c;
      labels[part].push_back(c.label);
    }
    for (const auto& o : c.ops) {
      auto& v = p.reps[o.group + "/" + o.op];
      if (v.empty()) p.ops.push_back(&o);
      v.push_back(&o);
    }
  }
  for (const auto& part : parts) {
    const std::string& scenario = scenario_of[part];
    out += fmt::format("\n[{}] scenario {}, {} case{}\n{}", part, scenario, labels[part].size(),
                       labels[part].size() == 1 ? "" : "s", kHeader);
    const std::string prefix = part + ": ";
    for (const auto& label : labels[part]) {
      const Pooled& p = cases[part + "\n" + label];
      // Under its part's heading a case needs no "part: " prefix; the rest is whole.
      out += "  " + (label.rfind(prefix, 0) == 0 ? label.substr(prefix.size()) : label);
      const std::string headline = case_headline(scenario, *p.first);
      // The headline beside a short label, else under it: lines stay within 100 columns.
      if (!headline.empty())
        out += (label.size() + headline.size() > 90 ? "\n    [" : "   [") + headline + "]";
      out += "\n";
      if (!p.first->complete) out += "    (cut short: not judged)\n";
      for (const OpResult* first : p.ops) {
        const auto& reps = p.reps.at(first->group + "/" + first->op);
        measure::Histogram h;
        uint64_t count = 0, errors = 0;
        double per_s = 0;
        for (const auto* o : reps) {
          h.merge(o->latency);
          count += o->count;
          errors += o->error_total();
          per_s += o->throughput_per_s / static_cast<double>(reps.size());
        }
        if (count == 0 && errors == 0) continue;  // a group that issued nothing here
        const std::string name = first->group + "/" + first->op;
        out += op_row(name, count, errors, per_s, h, static_cast<uint32_t>(reps.size()));
        if (verbose && reps.size() > 1)
          for (size_t i = 0; i < reps.size(); ++i)
            out += op_row(fmt::format("  repetition {}", i), reps[i]->count, reps[i]->error_total(),
                          reps[i]->throughput_per_s, reps[i]->latency, 1);
      }
      out += completion_lines(*p.first);
      out += client_lines(*p.first);
      out += process_line(*p.first);
    }
    const json& metrics = parts.size() > 1 ? r.metrics.value(part, json::object()) : r.metrics;
    out += part_headline(scenario, metrics);
  }
  // The outcome again at the end, where a terminal leaves the reader.
  out += "\n" + verdicts.substr(0, verdicts.find('\n') + 1);
  return out;
}

}  // namespace reports
