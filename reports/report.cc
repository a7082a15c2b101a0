#include "reports/report.h"

#include <fmt/core.h>

#include <map>
#include <set>

#include "reports/report_model.h"
#include "reports/svg.h"
#include "reports/text.h"

namespace reports {

using nlohmann::json;
using page::flatten;
using page::PooledOp;
using page::ScenarioPart;
using page::value_text;
using svg::escape;

namespace {

std::string num(double v) { return value_text(json(v)); }

std::string figures_table(const json& metrics) {
  std::vector<std::pair<std::string, std::string>> rows;
  flatten(metrics, "", rows);
  if (rows.empty()) return "";
  std::string s = "<table><tr><th>figure</th><th>value</th></tr>";
  for (const auto& [k, v] : rows)
    s += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td></tr>", escape(k), escape(v));
  return s + "</table>";
}

std::string anchor(const std::string& s) {
  std::string a;
  for (char c : s) a += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return a;
}

// ---- verdicts -------------------------------------------------------------------------------

struct VerdictRow {
  std::string where, name, outcome, detail;
};

std::vector<VerdictRow> verdicts_of(const json& r) {
  std::vector<VerdictRow> out;
  for (const auto& v : r.value("verdicts", json::array()))
    out.push_back({"run", v.value("name", ""), v.value("outcome", ""), v.value("detail", "")});
  for (const auto& c : r.value("cases", json::array()))
    for (const auto& v : c.value("verdicts", json::array()))
      out.push_back(
          {c.value("label", "") +
               (c.value("repetition", 0) ? fmt::format(" #{}", c["repetition"].get<int>()) : ""),
           v.value("name", ""), v.value("outcome", ""), v.value("detail", "")});
  return out;
}

std::string verdicts_section(const json& r) {
  const auto rows = verdicts_of(r);
  std::map<std::string, int> n;
  for (const auto& v : rows) ++n[v.outcome];
  std::string s = fmt::format(
      "<h2 id=\"verdicts\">Verdicts</h2><p><span class=\"pass\">{} held</span>, "
      "<span class=\"fail\">{} failed</span>, <span class=\"skipped\">{} not judged</span>.</p>",
      n["pass"], n["fail"], n["skipped"]);
  auto table = [&](const std::string& outcome) {
    std::string t = "<table><tr><th>case</th><th>verdict</th><th>outcome</th><th>detail</th></tr>";
    for (const auto& v : rows)
      if (v.outcome == outcome)
        t += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
                         escape(v.where), escape(v.name), escape(v.outcome), escape(v.outcome),
                         escape(v.detail));
    return t + "</table>";
  };
  if (n["fail"]) s += table("fail");
  if (n["skipped"])
    s += "<details><summary>not judged (" + std::to_string(n["skipped"]) + ")</summary>" +
         table("skipped") + "</details>";
  if (n["pass"])
    s += "<details><summary>held (" + std::to_string(n["pass"]) + ")</summary>" + table("pass") +
         "</details>";
  return s;
}

// ---- per scenario ---------------------------------------------------------------------------

std::string percentile_table(const ScenarioPart& p) {
  std::string s =
      "<table><tr><th>case</th><th>group/op</th><th>reps</th><th>calls</th><th>errors</th>"
      "<th>calls/s</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>";
  for (const auto& o : p.ops) {
    if (o.count == 0 && o.errors == 0) continue;  // a group that did not run in this case
    const auto& h = o.latency;
    auto pc = [&](double q) { return svg::format_ns(static_cast<double>(h.percentile(q))); };
    s += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}"
        "</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
        escape(o.case_label), escape(o.op), o.repetitions, o.count, o.errors,
        num(o.throughput_per_s), pc(50), pc(90), pc(99), pc(99.9),
        svg::format_ns(static_cast<double>(h.max())));
  }
  return s + "</table>";
}

std::string interval_chart(const std::string& label, const std::vector<const PooledOp*>& ops) {
  svg::LineChart c;
  c.title = label + ": p99 per interval";
  c.x.label = "seconds into the measured phase";
  c.y.label = "p99 latency";
  c.y.scale = svg::Scale::kLog;
  c.y.format = [](double v) { return svg::format_ns(v); };
  for (const auto* o : ops) {
    svg::Series s{o->op, {}, false, true};
    for (const auto& iv : o->intervals)
      if (iv.value("count", 0) > 0)
        s.points.emplace_back(iv.value("t_s", 0.0), iv.value("p99_ns", 0.0));
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  return c.series.empty() ? "" : svg::render(c);
}

std::string case_details(const ScenarioPart& p) {
  std::string s;
  std::map<std::string, std::vector<const PooledOp*>> by_case;
  std::vector<std::string> order;
  for (const auto& o : p.ops) {
    if (o.count == 0) continue;
    if (!by_case.count(o.case_label)) order.push_back(o.case_label);
    by_case[o.case_label].push_back(&o);
  }
  for (const auto& label : order) {
    std::vector<std::pair<std::string, const measure::Histogram*>> spec;
    for (const auto* o : by_case[label]) spec.emplace_back(o->op, &o->latency);
    s += "<details><summary>" + escape(label) + "</summary>" +
         page::spectrum_chart(label + ": latency by percentile", spec) +
         interval_chart(label, by_case[label]);
    for (const auto* c : p.cases)
      if (c->value("label", "") == label && c->contains("metrics") && !(*c)["metrics"].empty())
        s += figures_table((*c)["metrics"]);
    s += "</details>";
  }
  return s;
}

// Scenario figures drawn as the field reads them.
// Cost vs size, log-log: one chart for the calls (static vs registered vs tmpref vs copy), one for
// the allocation and registration steps.
std::string size_chart(const json& by_size, const std::string& title, bool calls) {
  svg::LineChart c;
  c.title = title;
  c.x.label = "buffer size (bytes)";
  c.x.scale = svg::Scale::kLog;
  c.x.format = [](double v) {
    return v >= 1048576 ? fmt::format("{:.0f}M", v / 1048576)
           : v >= 1024  ? fmt::format("{:.0f}K", v / 1024)
                        : fmt::format("{:.0f}", v);
  };
  c.y.label = "p50 latency";
  c.y.scale = svg::Scale::kLog;
  c.y.format = [](double v) { return svg::format_ns(v); };
  double lo = 1e300, hi = 0;
  for (const auto& [name, pts] : by_size.items()) {
    if ((name.find("memref") != std::string::npos) != calls) continue;
    svg::Series s{name, {}, false, true};
    for (const auto& xy : pts) {
      s.points.emplace_back(xy[0].get<double>(), xy[1].get<double>());
      lo = std::min(lo, s.points.back().first);
      hi = std::max(hi, s.points.back().first);
    }
    c.series.push_back(std::move(s));
  }
  // Ticks at powers of four from 1 KiB: the sizes the sweeps use (4K, 64K, 1M, 16M).
  for (double t = 1024; t <= 1024.0 * 1048576; t *= 4)
    if (t >= lo / 4 && t <= hi * 4) c.x.ticks.push_back(t);
  return c.series.empty() ? "" : svg::render(c);
}

std::string shm_figures(const ScenarioPart& p) {
  const json by_size = p.metrics.value("p50_ns_by_size", json::object());
  std::string out = size_chart(by_size, "call cost vs buffer size (p50, log-log)", true) +
                    size_chart(by_size, "allocate / register / use / free vs size (p50)", false);

  const json per_page = p.metrics.value("per_page_cost", json::object());
  if (!per_page.empty()) {
    out +=
        "<h3>per-page slope (least squares over the sizes)</h3><table><tr><th>memory/op</th>"
        "<th>ns per 4 KiB page</th><th>fixed ns</th><th>r²</th></tr>";
    for (const auto& [k, v] : per_page.items())
      out += fmt::format(
          "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
          "<td class=\"n\">{}</td></tr>",
          escape(k), num(v.value("ns_per_page", 0.0)), num(v.value("fixed_ns", 0.0)),
          num(v.value("r2", 0.0)));
    out += "</table>";
  }
  return out;
}

// Throughput and queue wait against callers. Cases differ by their callers (a *.clients
// parameter); the other parameters name a line, and the first of them (e.g. the service time)
// splits the lines into charts, so that no chart has more lines than the palette has colours.
// Each ceiling is dashed in its line's colour.
std::string exhaustion_figures(const ScenarioPart& p) {
  struct Charts {
    svg::LineChart tp, qw;
    std::map<std::string, int> line;  // series key -> colour
  };
  std::map<std::string, Charts> charts;
  std::vector<std::string> order;
  for (const auto* c : p.cases) {
    const json params = c->value("params", json::object());
    const json m = c->value("metrics", json::object());
    double callers = -1;
    std::string chart, key;
    for (const auto& [k, v] : params.items()) {
      if (k == "configuration" || k == "workload" || k == "scenario") continue;
      const std::string kv = k.substr(k.rfind('.') + 1) + "=" + value_text(v);
      if (k.find("clients") != std::string::npos && v.is_number())
        callers = v.get<double>();
      else if (k == "service")
        chart = kv;
      else
        key += (key.empty() ? "" : " ") + kv;
    }
    if (callers < 0 || !m.contains("throughput_per_s")) continue;
    auto [cit, fresh_chart] = charts.try_emplace(chart);
    Charts& ch = cit->second;
    if (fresh_chart) {
      order.push_back(chart);
      const std::string suffix = chart.empty() ? "" : " (" + chart + ")";
      ch.tp.title = "throughput vs callers, the threads / service-time ceiling dashed" + suffix;
      ch.qw.title = "queue wait p99 vs callers" + suffix;
      ch.tp.x.label = ch.qw.x.label = "callers";
      ch.tp.y.label = "calls/s";
      ch.qw.y.label = "queue wait p99";
      ch.qw.y.scale = svg::Scale::kLog;
      ch.qw.y.format = [](double v) { return svg::format_ns(v); };
    }
    auto [lit, fresh_line] = ch.line.try_emplace(key, static_cast<int>(ch.line.size()));
    const int colour = lit->second;
    auto series = [&](svg::LineChart& chart_of, const std::string& name, bool dashed) {
      for (auto& s : chart_of.series)
        if (s.name == name) return &s;
      chart_of.series.push_back({name, {}, dashed, !dashed, colour, !dashed});
      return &chart_of.series.back();
    };
    series(ch.tp, key, false)->points.emplace_back(callers, m["throughput_per_s"].get<double>());
    if (m.contains("ceiling_per_s"))
      series(ch.tp, key + " ceiling", true)
          ->points.emplace_back(callers, m["ceiling_per_s"].get<double>());
    if (m.contains("queue_wait_ns"))
      series(ch.qw, key, false)->points.emplace_back(callers, m["queue_wait_ns"].value("p99", 0.0));
  }
  std::string out;
  for (const auto& name : order) {
    Charts& ch = charts[name];
    for (auto* c : {&ch.tp, &ch.qw})
      for (auto& s : c->series) std::sort(s.points.begin(), s.points.end());
    out += svg::render(ch.tp) + (ch.qw.series.empty() ? "" : svg::render(ch.qw));
  }
  return out;
}

std::string multiguest_figures(const ScenarioPart& p) {
  std::string out;
  const json four = p.metrics.value("four_guests", json::object());
  if (!four.empty()) {
    svg::BarChart p99, rate;
    p99.title = "per guest, four guests together: p99";
    p99.y.label = "p99";
    p99.y.scale = svg::Scale::kLog;
    p99.y.format = [](double v) { return svg::format_ns(v); };
    rate.title = "per guest, four guests together: calls/s";
    rate.y.label = "calls/s";
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> by_op;
    for (const auto& [k, v] : four.items()) {
      const std::string guest = k.substr(0, k.find('/')), op = k.substr(k.find('/') + 1);
      if (std::find(p99.categories.begin(), p99.categories.end(), guest) == p99.categories.end())
        p99.categories.push_back(guest);
      by_op[op].first.push_back(v.value("p99_ns", 0.0));
      by_op[op].second.push_back(v.value("per_s", 0.0));
    }
    rate.categories = p99.categories;
    for (const auto& [op, v] : by_op) {
      p99.groups.emplace_back(op, v.first);
      rate.groups.emplace_back(op, v.second);
    }
    out += svg::render(p99) + svg::render(rate);
  }
  for (const char* k : {"mediator_overhead", "noisy_neighbour"})
    if (p.metrics.contains(k)) out += fmt::format("<h3>{}</h3>", k) + figures_table(p.metrics[k]);
  return out;
}

std::string ocall_figures(const ScenarioPart& p) {
  const json rt = p.metrics.value("round_trips", json::object());
  if (rt.empty()) return "";
  svg::BarChart c;
  c.title = "TA -> client round trip as a multiple of the null invoke (p50)";
  c.y.label = "x null invoke";
  c.y.scale = svg::Scale::kLog;
  for (const auto& [path, cases] : rt.items())
    for (const auto& [k, v] : cases.items())
      if (std::find(c.categories.begin(), c.categories.end(), k) == c.categories.end())
        c.categories.push_back(k);
  for (const auto& [path, cases] : rt.items()) {
    std::vector<double> v;
    for (const auto& k : c.categories)
      v.push_back(cases.contains(k) ? cases[k].value("x_null_invoke", 0.0) : 0);
    c.groups.emplace_back(path, v);
  }
  return svg::render(c) + figures_table(rt);
}

struct ScenarioFigures {
  const char* scenario;
  std::string (*draw)(const ScenarioPart&);
};
constexpr ScenarioFigures kScenarioFigures[] = {{"shm", shm_figures},
                                                {"exhaustion", exhaustion_figures},
                                                {"multiguest", multiguest_figures},
                                                {"ocall", ocall_figures}};

std::string part_section(const ScenarioPart& p) {
  std::string s = fmt::format("<h2 id=\"part-{}\">{} <small>(scenario {})</small></h2>",
                              anchor(p.part), escape(p.part), escape(p.scenario));
  for (const auto& f : kScenarioFigures)
    if (p.scenario == f.scenario) s += f.draw(p);
  std::vector<std::pair<std::string, const measure::Histogram*>> spec;
  std::set<std::string> seen;
  // One chart of each case's first operation: the distributions side by side (eight at most,
  // beyond which lines cannot be told apart; every case has its own chart below).
  for (const auto& o : p.ops)
    if (o.count > 0 && seen.insert(o.case_label).second && spec.size() < 8)
      spec.emplace_back(o.case_label + " " + o.op, &o.latency);
  s += page::spectrum_chart(p.part + ": latency by percentile", spec);
  s += "<h3>latency percentiles per operation</h3>" + percentile_table(p);
  s += "<h3>per case</h3>" + case_details(p);
  return s;
}

std::string summary_section(const json& r, const std::vector<ScenarioPart>& parts) {
  const json ctx = r.value("context", json::object());
  const json dev = ctx.value("device", json::object());
  std::string s = fmt::format(
      "<h1>teebench: {}</h1><p>run <b>{}</b>, status <b class=\"{}\">{}</b>, target {}, OP-TEE "
      "{}, driver {}, {} secure threads, profile {}; {} on {} ({} CPUs), teebench {} ({})</p>",
      escape(r.value("workload", json::object()).value("name", "?")),
      escape(ctx.value("run_id", "?")), r.value("status", "") == "complete" ? "pass" : "fail",
      escape(r.value("status", "?")), escape(value_text(ctx.value("target", json("?")))),
      escape(value_text(dev.value("optee_revision", json("?")))),
      escape(value_text(dev.value("driver", json("?")))),
      escape(value_text(dev.value("secure_threads", json("?")))),
      escape(value_text(dev.value("profile", json("?")))), escape(ctx.value("date", "?")),
      escape(ctx.value("host_name", "?")), value_text(ctx.value("num_cpus", json(0))),
      escape(ctx.value("teebench_version", "?")), escape(ctx.value("git_revision", "?")));
  s += "<nav><a href=\"#verdicts\">verdicts</a><a href=\"#environment\">environment</a>";
  for (const auto& p : parts)
    s += fmt::format("<a href=\"#part-{}\">{}</a>", anchor(p.part), escape(p.part));
  return s + "<a href=\"#context\">context</a></nav>";
}

std::string environment_section(const json& r) {
  const auto w = page::environment_warnings(r);
  std::string s = "<h2 id=\"environment\">Environment</h2>";
  if (w.empty()) return s + "<p>No environment warnings.</p>";
  for (const auto& x : w) s += "<div class=\"warn\">" + escape(x) + "</div>";
  return s;
}

}  // namespace

std::string report_html(const json& r) {
  const auto parts = page::parts_of(r);
  std::string body = summary_section(r, parts) + verdicts_section(r) + environment_section(r);
  for (const auto& p : parts) body += part_section(p);
  body += "<h2 id=\"context\">Context</h2><pre>" +
          escape(r.value("context", json::object()).dump(1)) + "</pre>";
  body += "<details><summary>workload</summary><pre>" +
          escape(r.value("workload", json::object()).dump(1)) + "</pre></details>";
  return page::html_page(
      "teebench " + r.value("workload", json::object()).value("name", std::string("run")), body);
}

std::string report_markdown(const json& r) {
  const json ctx = r.value("context", json::object());
  std::string s =
      fmt::format("# teebench: {}\n\nrun `{}`, status **{}**, target {}\n\n",
                  r.value("workload", json::object()).value("name", "?"), ctx.value("run_id", "?"),
                  r.value("status", "?"), value_text(ctx.value("target", json("?"))));
  for (const auto& w : page::environment_warnings(r)) s += "> **warning:** " + w + "\n>\n";
  s += "\n## Verdicts\n\n| case | verdict | outcome | detail |\n|---|---|---|---|\n";
  for (const auto& v : verdicts_of(r))
    if (v.outcome != "pass")
      s += fmt::format("| {} | {} | {} | {} |\n", markdown_cell(v.where), v.name, v.outcome,
                       markdown_cell(v.detail));
  for (const auto& p : page::parts_of(r)) {
    s += fmt::format(
        "\n## {} (scenario {})\n\n| case | op | reps | calls | errors | calls/s | p50 "
        "| p99 | p99.9 | max |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n",
        p.part, p.scenario);
    for (const auto& o : p.ops) {
      if (o.count == 0 && o.errors == 0) continue;
      const auto& h = o.latency;
      s += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                       markdown_cell(o.case_label), o.op, o.repetitions, o.count, o.errors,
                       num(o.throughput_per_s),
                       svg::format_ns(static_cast<double>(h.percentile(50))),
                       svg::format_ns(static_cast<double>(h.percentile(99))),
                       svg::format_ns(static_cast<double>(h.percentile(99.9))),
                       svg::format_ns(static_cast<double>(h.max())));
    }
  }
  return s;
}

}  // namespace reports
