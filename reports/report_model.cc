#include "reports/report_model.h"

#include <fmt/core.h>

#include <cmath>
#include <map>

#include "reports/context.h"
#include "reports/svg.h"

namespace reports::page {

using nlohmann::json;

std::vector<ScenarioPart> parts_of(const json& results) {
  std::vector<ScenarioPart> parts;
  std::map<std::string, size_t> part_index;
  std::map<std::string, size_t> op_index;  // part + case label + op -> position in its part
  // By reference into `results`: the parts keep pointers to their cases.
  static const json kNoCases = json::array();
  const json& cases =
      results.contains("cases") && results["cases"].is_array() ? results["cases"] : kNoCases;
  for (const auto& c : cases) {
    if (!c.value("complete", false)) continue;
    const json params = c.value("params", json::object());
    const std::string part = params.value("workload", "run");
    auto [pit, fresh] = part_index.emplace(part, parts.size());
    if (fresh) parts.push_back({part, params.value("scenario", "generic"), {}, {}, nullptr});
    ScenarioPart& sp = parts[pit->second];
    const std::string label = c.value("label", "?");
    bool first_repetition = true;
    for (const auto& o : c.value("operations", json::array())) {
      const std::string op = o.value("group", "?") + "/" + o.value("op", "?");
      auto [oit, ofresh] = op_index.emplace(part + "\n" + label + "\n" + op, sp.ops.size());
      if (ofresh) {
        sp.ops.push_back(
            PooledOp{label, op, params, 0, 0, 0, 0, {}, o.value("intervals", json::array())});
      } else {
        first_repetition = false;
      }
      PooledOp& po = sp.ops[oit->second];
      po.repetitions += 1;
      po.count += o.value("count", uint64_t{0});
      po.errors += o.value("error_total", uint64_t{0});
      po.throughput_per_s += (o.value("throughput_per_s", 0.0) - po.throughput_per_s) /
                             static_cast<double>(po.repetitions);
      if (o.contains("histogram")) {
        try {
          po.latency.merge(measure::Histogram::from_json(o["histogram"]));
        } catch (const std::exception&) {
          // A damaged histogram leaves the pooled figures without that repetition's calls.
        }
      }
    }
    if (first_repetition) sp.cases.push_back(&c);
  }
  const json& metrics = results.value("metrics", json::object());
  for (auto& sp : parts)
    sp.metrics = parts.size() > 1 ? metrics.value(sp.part, json::object()) : metrics;
  return parts;
}

std::vector<std::string> environment_warnings(const json& r) {
  std::vector<std::string> w;
  const json ctx = r.value("context", json::object());
  const std::string status = r.value("status", "?");
  if (status != "complete")
    w.push_back(fmt::format("the run is {}{}", status,
                            ctx.contains("failure") ? ": " + ctx["failure"].dump() : ""));
  if (ctx.contains("cpu_governor") && ctx["cpu_governor"].is_string() &&
      ctx["cpu_governor"] != "performance")
    w.push_back(
        fmt::format("CPU frequency scaling is on (governor {}): latencies move with the "
                    "clock; set the performance governor for comparable figures",
                    ctx["cpu_governor"].get<std::string>()));
  if (const double load = busy_host_load(ctx); load > 0)
    w.push_back(
        fmt::format("the host was busy when the run started (1-minute load {:.2f} on {} "
                    "CPUs): other work shares the CPUs with the measurement",
                    load, ctx.value("num_cpus", 0)));
  if (ctx.contains("qemu"))
    w.push_back(ctx["qemu"].value("icount", false)
                    ? "QEMU icount: deterministic guest-instruction time, not board latency"
                    : "QEMU TCG: host wall-clock timing of an emulated CPU, not board latency; "
                      "it moves between boots");
  const json clock = ctx.value("clock", json::object());
  if (clock.value("name", "TSC") != "TSC")
    w.push_back(fmt::format("clock {}: {}", clock.value("name", "?"), clock.value("reason", "")));
  std::map<std::string, int> caveats;
  for (const auto& c : r.value("cases", json::array()))
    if (c.contains("timing_caveat") && c["timing_caveat"].is_string())
      ++caveats[c["timing_caveat"].get<std::string>()];
  for (const auto& [text, n] : caveats)
    w.push_back(fmt::format("{} case{}: {}", n, n == 1 ? "" : "s", text));
  return w;
}

void flatten(const json& j, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
    return;
  }
  out.emplace_back(prefix, value_text(j));
}

std::string value_text(const json& v) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (d == 0) return "0";
    if (std::abs(d) >= 1e6 || std::abs(d) < 1e-3) return fmt::format("{:.3e}", d);
    return fmt::format("{:.4g}", d);
  }
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string html_page(const std::string& title, const std::string& body) {
  return fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1180px; padding: 16px 24px; color: #1d1d1f; }}
h1 {{ font-size: 22px; margin: 8px 0; }} h2 {{ font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ccc; }}
h3 {{ font-size: 15px; margin: 18px 0 6px; }}
table {{ border-collapse: collapse; margin: 8px 0; font-size: 13px; }}
th, td {{ border: 1px solid #d8d8d8; padding: 3px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }}
th {{ background: #f3f3f3; }} td.n {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.pass {{ color: #1a7f37; }} .fail {{ color: #b3261e; font-weight: 600; }} .skipped {{ color: #777; }}
.regression {{ background: #fde7e5; }} .improvement {{ background: #e5f5e9; }}
.warn {{ background: #fff4d6; border-left: 4px solid #e0a800; padding: 6px 10px; margin: 6px 0; }}
.chart {{ width: 100%; max-width: 720px; display: block; margin: 6px 0; }}
.chart .title {{ font: 600 13px system-ui, sans-serif; }} .chart .tick, .chart .legend {{ font: 11px system-ui, sans-serif; fill: #333; }}
.chart .axis {{ font: 12px system-ui, sans-serif; fill: #333; }} .chart .grid {{ stroke: #e6e6e6; }}
.chart .plot {{ fill: none; stroke: #999; }} .chart .ref {{ stroke: #b3261e; stroke-dasharray: 4 3; }}
.chart .reflabel {{ font: 11px system-ui, sans-serif; fill: #b3261e; }}
details {{ margin: 4px 0; }} summary {{ cursor: pointer; }}
pre {{ background: #f7f7f7; padding: 8px; overflow-x: auto; font-size: 12px; }}
nav a {{ margin-right: 12px; }}
</style></head><body>
{}
</body></html>
)",
                     svg::escape(title), body);
}

std::string spectrum_chart(const std::string& title,
                           const std::vector<std::pair<std::string, const measure::Histogram*>>& in,
                           bool dashed_second_half) {
  svg::LineChart c;
  c.title = title;
  c.x.label = "percentile";
  c.x.scale = svg::Scale::kLog;
  // x is 1 / (1 - q): each decade is one more nine (90 %, 99 %, 99.9 %), as HdrHistogram plots.
  c.x.ticks = {1, 10, 100, 1000, 10000, 100000};
  c.x.format = [](double x) {
    if (x <= 1) return std::string("0%");
    return fmt::format("{:.{}f}%", 100 * (1 - 1 / x),
                       std::max(0, static_cast<int>(std::lround(std::log10(x))) - 2));
  };
  c.y.label = "latency";
  c.y.scale = svg::Scale::kLog;
  c.y.format = [](double v) { return svg::format_ns(v); };
  double max_x = 10;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto& [name, h] = in[i];
    if (!h || h->total() == 0) continue;
    svg::Series s;
    s.name = name;
    s.dashed = dashed_second_half && i >= in.size() / 2;
    const double n = static_cast<double>(h->total());
    // Twelve points a decade, up to the percentile the calls can resolve (1/(1-q) <= calls).
    for (int k = 0; k <= 60; ++k) {
      const double x = std::pow(10, k / 12.0);
      if (x > n) break;
      max_x = std::max(max_x, x);
      s.points.emplace_back(x, static_cast<double>(h->percentile(100 * (1 - 1 / x))));
    }
    s.points.emplace_back(std::max(n, 1.0), static_cast<double>(h->max()));
    max_x = std::max(max_x, n);
    c.series.push_back(std::move(s));
  }
  std::erase_if(c.x.ticks, [&](double t) { return t > max_x * 10; });
  return svg::render(c);
}

}  // namespace reports::page
