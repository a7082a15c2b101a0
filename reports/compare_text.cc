#include "reports/compare_text.h"

#include "reports/text.h"

#include <fmt/core.h>

#include <cmath>
#include <map>

namespace reports {

std::string format_value(double v, const std::string& unit) {
  if (unit == "ns") return human_ns(v);
  if (unit == "1/s") {
    if (v >= 1e6) return fmt::format("{:.2f} M/s", v / 1e6);
    if (v >= 1e3) return fmt::format("{:.1f} k/s", v / 1e3);
    return fmt::format("{:.1f} /s", v);
  }
  return fmt::format("{:.4g} {}", v, unit);
}

namespace {

std::string percent(double x) { return fmt::format("{:+.1f}%", x * 100); }

std::string interval(const Cell& c) {
  if (c.method.empty() || (c.method == "deterministic" && c.ratio.low == c.ratio.high)) return "";
  return fmt::format("[{}, {}]", percent(c.ratio.low - 1), percent(c.ratio.high - 1));
}

std::string p_value(const Cell& c) {
  if (c.method.empty()) return "";
  if (c.method == "deterministic") return "exact";
  return c.p < 0.001 ? "<0.001" : fmt::format("{:.3f}", c.p);
}

std::string verdict(const Cell& c) {
  std::string v = to_string(c.change);
  if (c.change == Change::kRegression || c.change == Change::kImprovement)
    v = (c.change == Change::kRegression ? "REGRESSION" : "improvement") +
        std::string(c.gating ? "" : " (advisory)");
  return v;
}

}  // namespace

std::string compare_outcome(const Comparison& c) {
  const size_t reg = c.count(Change::kRegression, true), imp = c.count(Change::kImprovement, true);
  const size_t adv =
      c.count(Change::kRegression, false) - reg + c.count(Change::kImprovement, false) - imp;
  size_t failing = 0, expectations = 0;
  for (const auto& v : c.verdict_changes)
    if (v.next == "fail") ++(v.gating ? failing : expectations);
  std::string s = fmt::format(
      "{} regression{}, {} improvement{}, {} without significant change, "
      "{} not judged",
      reg, reg == 1 ? "" : "s", imp, imp == 1 ? "" : "s", c.count(Change::kNoChange, false),
      c.count(Change::kNotJudged, false));
  if (adv) s += fmt::format("; {} advisory change{} (one repetition)", adv, adv == 1 ? "" : "s");
  if (failing) s += fmt::format("; {} invariant{} newly failing", failing, failing == 1 ? "" : "s");
  if (expectations)
    s += fmt::format("; {} expectation{} newly failing (advisory)", expectations,
                     expectations == 1 ? "" : "s");
  return s;
}

std::string compare_text(const Comparison& c, bool verbose) {
  std::string out = fmt::format("BASE {}\nNEW  {}\n", c.base_path, c.next_path);
  for (const auto& w : c.warnings) out += "warning: " + w + "\n";
  for (const auto& n : c.notes) out += "note: " + n + "\n";
  if (!c.verdict_changes.empty()) {
    out += "\nverdicts that changed:\n";
    for (const auto& v : c.verdict_changes)
      out += fmt::format("  {} {}: {} -> {}{}  {}\n", v.label, v.name, v.base, v.next,
                         v.next == "fail" && !v.gating ? " (expectation: advisory)" : "", v.detail);
  }
  std::string body, scenario;
  size_t hidden = 0;
  for (const auto& s : c.series) {
    bool any = verbose;
    for (const auto& cell : s.cells) any = any || is_change(cell);
    if (!any) {
      hidden += s.cells.size();
      continue;
    }
    if (s.scenario != scenario) {
      scenario = s.scenario;
      body += fmt::format("\n[{}]\n", scenario);
    }
    // The whole label on its own line: never cut, so two cases never read the same.
    body += fmt::format("{}{}\n", s.label, s.op.empty() ? "" : "  " + s.op);
    for (const auto& cell : s.cells) {
      if (!verbose && !is_change(cell)) {
        ++hidden;
        continue;
      }
      body += fmt::format("  {:<10} {:>12} {:>12} {:>9} {:>19} {:>7}  {}{}\n", cell.figure,
                          format_value(cell.base, cell.unit), format_value(cell.next, cell.unit),
                          cell.base > 0 ? percent(cell.delta) : "", interval(cell), p_value(cell),
                          verdict(cell), cell.note.empty() ? "" : "  (" + cell.note + ")");
    }
  }
  if (!body.empty())
    out += fmt::format("\n  {:<10} {:>12} {:>12} {:>9} {:>19} {:>7}  {}\n", "figure", "base", "new",
                       "delta", "95% interval", "p", "verdict") +
           body;
  if (hidden)
    out += fmt::format(
        "\n({} figures with no significant change or not judged are not shown; "
        "--verbose shows every figure)\n",
        hidden);
  out += fmt::format("\n{} (alpha {}, min effect {:.0f}%)\n", compare_outcome(c), c.options.alpha,
                     c.options.min_effect * 100);
  return out;
}

std::string compare_markdown(const Comparison& c) {
  std::string out = fmt::format(
      "# teebench compare\n\n- BASE: `{}`\n- NEW: `{}`\n- alpha {}, "
      "minimum effect {:.0f}%\n\n",
      c.base_path, c.next_path, c.options.alpha, c.options.min_effect * 100);
  out += "**" + compare_outcome(c) + "**\n\n";
  for (const auto& w : c.warnings) out += "> **warning:** " + w + "\n>\n";
  for (const auto& n : c.notes) out += "- note: " + n + "\n";
  if (!c.verdict_changes.empty()) {
    out +=
        "\n## Verdicts that changed\n\n| case | verdict | base | new | detail "
        "|\n|---|---|---|---|---|\n";
    for (const auto& v : c.verdict_changes)
      out += fmt::format("| {} | {} | {} | {} | {} |\n", markdown_cell(v.label), v.name, v.base,
                         v.next, markdown_cell(v.detail));
  }
  std::string scenario;
  for (const auto& s : c.series) {
    if (s.scenario != scenario) {
      scenario = s.scenario;
      out += fmt::format(
          "\n## {}\n\n| case | op | figure | base | new | delta | 95% interval | "
          "p | verdict |\n|---|---|---|--:|--:|--:|--:|--:|---|\n",
          scenario);
    }
    for (const auto& cell : s.cells)
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {}{} |\n",
                         markdown_cell(s.label), s.op, cell.figure,
                         format_value(cell.base, cell.unit), format_value(cell.next, cell.unit),
                         cell.base > 0 ? percent(cell.delta) : "", interval(cell), p_value(cell),
                         is_change(cell) ? "**" + verdict(cell) + "**" : verdict(cell),
                         cell.note.empty() ? "" : " — " + cell.note);
  }
  return out;
}

}  // namespace reports
