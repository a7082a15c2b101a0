#include "reports/compare_html.h"

#include <fmt/core.h>

#include <map>

#include "reports/compare_text.h"
#include "reports/report_model.h"
#include "reports/svg.h"

namespace reports {

using nlohmann::json;
using svg::escape;

namespace {

std::string row_class(const Cell& c) {
  if (!is_change(c)) return "";
  return c.change == Change::kRegression ? " class=\"regression\"" : " class=\"improvement\"";
}

std::string verdict_text(const Cell& c) {
  std::string v = to_string(c.change);
  if (is_change(c) && !c.gating) v += " (advisory)";
  if (!c.note.empty()) v += " — " + c.note;
  return v;
}

std::string table(const Comparison& c) {
  std::string s, scenario;
  for (const auto& sc : c.series) {
    if (sc.scenario != scenario) {
      if (!scenario.empty()) s += "</table>";
      scenario = sc.scenario;
      s += fmt::format(
          "<h3>{}</h3><table><tr><th>case</th><th>op</th><th>figure</th><th>base</th>"
          "<th>new</th><th>delta</th><th>95% interval</th><th>p</th><th>method</th>"
          "<th>verdict</th></tr>",
          escape(scenario));
    }
    for (const auto& cell : sc.cells)
      s += fmt::format(
          "<tr{}><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
          "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td>"
          "<td>{}</td></tr>",
          row_class(cell), escape(sc.label), escape(sc.op), escape(cell.figure),
          escape(format_value(cell.base, cell.unit)), escape(format_value(cell.next, cell.unit)),
          cell.base > 0 ? fmt::format("{:+.1f}%", cell.delta * 100) : "",
          cell.method.empty() ? ""
                              : fmt::format("[{:+.1f}%, {:+.1f}%]", (cell.ratio.low - 1) * 100,
                                            (cell.ratio.high - 1) * 100),
          cell.method.empty()              ? ""
          : cell.method == "deterministic" ? "exact"
                                           : fmt::format("{:.3g}", cell.p),
          escape(cell.method), escape(verdict_text(cell)));
  }
  return s.empty() ? s : s + "</table>";
}

// The calls of every repetition of a series pooled, for the overlaid distributions.
measure::Histogram pooled(const ComparableRun& r, const std::string& key) {
  measure::Histogram h;
  for (const auto& s : r.series)
    if (s.key == key)
      for (const auto& f : s.figures)
        if (f.name == "p50") {
          for (const auto* x : f.histograms)
            if (x) h.merge(*x);
          return h;
        }
  return h;
}

std::string distributions(const Comparison& c, const ComparableRun& base,
                          const ComparableRun& next) {
  // The changed series first (their shapes are the question), then the rest, twelve at most.
  std::vector<const SeriesComparison*> order;
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& sc : c.series) {
      bool any = false;
      for (const auto& cell : sc.cells) any = any || is_change(cell);
      if (any == (pass == 0)) order.push_back(&sc);
    }
  std::string s;
  size_t drawn = 0;
  for (const auto* sc : order) {
    if (drawn == 12) break;
    const auto hb = pooled(base, sc->key), hn = pooled(next, sc->key);
    if (hb.total() == 0 || hn.total() == 0) continue;
    s += page::spectrum_chart(sc->label + " " + sc->op + ": BASE (solid) vs NEW (dashed)",
                              {{"BASE " + sc->op, &hb}, {"NEW " + sc->op, &hn}}, true);
    ++drawn;
  }
  return s.empty() ? "<p>No latency histograms in these files (Google Benchmark output has "
                     "none).</p>"
                   : s;
}

std::string context_table(const ComparableRun& base, const ComparableRun& next) {
  std::vector<std::pair<std::string, std::string>> rows_b, rows_n;
  page::flatten(base.context, "", rows_b);
  page::flatten(next.context, "", rows_n);
  std::map<std::string, std::string> b(rows_b.begin(), rows_b.end()),
      n(rows_n.begin(), rows_n.end());
  std::map<std::string, int> keys;
  for (const auto& [k, v] : b) keys[k] = 1;
  for (const auto& [k, v] : n) keys[k] = 1;
  std::string s = "<table><tr><th>context</th><th>BASE</th><th>NEW</th></tr>";
  for (const auto& [k, unused] : keys) {
    const std::string vb = b.count(k) ? b[k] : "", vn = n.count(k) ? n[k] : "";
    s += fmt::format("<tr{}><td>{}</td><td>{}</td><td>{}</td></tr>",
                     vb != vn ? " class=\"regression\"" : "", escape(k), escape(vb), escape(vn));
  }
  return s + "</table>";
}

}  // namespace

std::string compare_html(const Comparison& c, const ComparableRun& base,
                         const ComparableRun& next) {
  std::string s = fmt::format(
      "<h1>teebench compare</h1><p>BASE <code>{}</code><br>NEW <code>{}</code><br>alpha {}, "
      "minimum effect {:.0f}%</p><p id=\"outcome\" class=\"{}\">{}</p>"
      "<nav><a href=\"#warnings\">warnings</a><a href=\"#verdicts\">verdicts</a>"
      "<a href=\"#figures\">figures</a><a href=\"#distributions\">distributions</a>"
      "<a href=\"#context\">context</a></nav>",
      escape(c.base_path), escape(c.next_path), c.options.alpha, c.options.min_effect * 100,
      c.regressions() ? "fail" : "pass", escape(compare_outcome(c)));
  s += "<h2 id=\"warnings\">Warnings and notes</h2>";
  if (c.warnings.empty() && c.notes.empty()) s += "<p>None: the two runs' contexts match.</p>";
  for (const auto& w : c.warnings) s += "<div class=\"warn\">" + escape(w) + "</div>";
  for (const auto& n : c.notes) s += "<p>" + escape(n) + "</p>";
  s += "<h2 id=\"verdicts\">Verdicts that changed</h2>";
  if (c.verdict_changes.empty())
    s += "<p>None.</p>";
  else {
    s += "<table><tr><th>case</th><th>verdict</th><th>BASE</th><th>NEW</th><th>detail</th></tr>";
    for (const auto& v : c.verdict_changes)
      s += fmt::format(
          "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
          "</tr>",
          v.next == "fail" ? "regression" : "improvement", escape(v.label), escape(v.name),
          escape(v.base), escape(v.next), escape(v.detail));
    s += "</table>";
  }
  s += "<h2 id=\"figures\">Figures</h2>" + table(c);
  s += "<h2 id=\"distributions\">Latency distributions</h2>" + distributions(c, base, next);
  s += "<h2 id=\"context\">Context</h2>" + context_table(base, next);
  return page::html_page("teebench compare", s);
}

}  // namespace reports
