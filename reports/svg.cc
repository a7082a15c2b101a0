#include "reports/svg.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace reports::svg {
namespace {

// Okabe and Ito's palette: tells its colours apart for the common colour-vision deficiencies.
constexpr const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#F0E442", "#000000"};
constexpr double kWidth = 720, kHeight = 320;
// Room for the tick labels; the legend goes below the plot, one whole name a line, so that long
// case labels are never cut.
constexpr double kLeft = 78, kRight = 20, kTop = 30, kBottom = 48;
constexpr double kLegendLine = 16;

struct Mapper {
  Scale scale;
  double lo, hi, from, to;
  double operator()(double v) const {
    if (scale == Scale::kLog) {
      v = std::log10(std::max(v, lo));
      return from + (v - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) * (to - from);
    }
    return from + (v - lo) / (hi - lo) * (to - from);
  }
};

// The data range, widened so that a flat series or a single point still has an axis.
std::pair<double, double> range(std::vector<double> v, Scale s) {
  if (s == Scale::kLog) std::erase_if(v, [](double x) { return !(x > 0); });
  std::erase_if(v, [](double x) { return !std::isfinite(x); });
  if (v.empty()) return {1, 10};
  auto [mn, mx] = std::minmax_element(v.begin(), v.end());
  double lo = *mn, hi = *mx;
  if (s == Scale::kLog) {
    lo = std::pow(10, std::floor(std::log10(lo)));
    hi = std::pow(10, std::ceil(std::log10(hi)));
    if (hi <= lo) hi = lo * 10;
    return {lo, hi};
  }
  if (lo > 0 && lo < hi * 0.5) lo = 0;  // from zero unless that squashes the data flat
  if (hi <= lo) hi = lo + (lo == 0 ? 1 : std::abs(lo) * 0.1);
  return {lo, hi + (hi - lo) * 0.05};
}

std::vector<double> ticks_for(const Axis& a, double lo, double hi) {
  if (!a.ticks.empty()) return a.ticks;
  std::vector<double> t;
  if (a.scale == Scale::kLog) {
    for (double v = lo; v <= hi * 1.0001; v *= 10) t.push_back(v);
    return t;
  }
  const double raw = (hi - lo) / 5;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  const double step = raw / mag < 1.5   ? mag
                      : raw / mag < 3.5 ? 2 * mag
                      : raw / mag < 7.5 ? 5 * mag
                                        : 10 * mag;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) t.push_back(v);
  return t;
}

std::string plain(double v) {
  if (v != 0 && (std::abs(v) >= 1e6 || std::abs(v) < 1e-2)) return fmt::format("{:.0e}", v);
  return fmt::format("{:.4g}", v);
}

std::string label_of(const Axis& a, double v) { return a.format ? a.format(v) : plain(v); }

std::string frame(const std::string& title, const std::string& body, size_t legend_lines) {
  const double height =
      kHeight + (legend_lines ? 8 + kLegendLine * static_cast<double>(legend_lines) : 0);
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" class=\"chart\" "
      "role=\"img\" aria-label=\"{}\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
      "<text x=\"{}\" y=\"18\" class=\"title\">{}</text>{}</svg>",
      kWidth, height, escape(title), kLeft, escape(title), body);
}

std::string axes(const Axis& x, const Mapper& mx, const std::vector<double>& xt, const Axis& y,
                 const Mapper& my, const std::vector<double>& yt) {
  std::string s;
  const double x0 = kLeft, x1 = kWidth - kRight, y0 = kHeight - kBottom, y1 = kTop;
  for (double t : yt) {
    const double py = my(t);
    s += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>",
        x0, x1, py, py, x0 - 6, py + 4, escape(label_of(y, t)));
  }
  for (double t : xt) {
    const double px = mx(t);
    s += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
        px, px, y0, y1, px, y0 + 16, escape(label_of(x, t)));
  }
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"plot\"/>", x0, y1,
                   x1 - x0, y0 - y1);
  s +=
      fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"middle\">{}</text>",
                  (x0 + x1) / 2, kHeight - 8, escape(x.label));
  s += fmt::format(
      "<text x=\"14\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 14 {:.1f})\">{}</text>",
      (y0 + y1) / 2, (y0 + y1) / 2, escape(y.label));
  return s;
}

// (name, palette entry) per line.
std::string legend(const std::vector<std::pair<std::string, size_t>>& entries) {
  std::string s;
  for (size_t i = 0; i < entries.size(); ++i) {
    const double y = kHeight + 8 + static_cast<double>(i) * kLegendLine;
    s += fmt::format(
        "<rect x=\"{}\" y=\"{:.1f}\" width=\"14\" height=\"4\" fill=\"{}\"/>"
        "<text x=\"{}\" y=\"{:.1f}\" class=\"legend\">{}</text>",
        kLeft, y - 6, kColours[entries[i].second % std::size(kColours)], kLeft + 20, y,
        escape(entries[i].first));
  }
  return s;
}

}  // namespace

std::string escape(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_ns(double ns) {
  if (ns < 1000) return fmt::format("{:.0f} ns", ns);
  if (ns < 1e6) return fmt::format("{:.3g} us", ns / 1e3);
  if (ns < 1e9) return fmt::format("{:.3g} ms", ns / 1e6);
  return fmt::format("{:.3g} s", ns / 1e9);
}

std::string render(const LineChart& c) {
  std::vector<double> xs, ys;
  for (const auto& s : c.series)
    for (const auto& [x, y] : s.points) {
      xs.push_back(x);
      ys.push_back(y);
    }
  for (const auto& l : c.lines) ys.push_back(l.y);
  if (xs.empty())
    return frame(c.title, "<text x=\"300\" y=\"160\" class=\"tick\">no data</text>", 0);
  auto [xlo, xhi] = range(xs, c.x.scale);
  if (!c.x.ticks.empty() && c.x.scale == Scale::kLog) {
    // Fixed ticks bound a log axis exactly (no widening to the next power of ten).
    xlo = std::min(c.x.ticks.front(), *std::min_element(xs.begin(), xs.end()));
    xhi = std::max(c.x.ticks.back(), *std::max_element(xs.begin(), xs.end()));
  }
  if (c.x.scale == Scale::kLinear && xlo == 0 && *std::min_element(xs.begin(), xs.end()) > 0 &&
      !c.x.ticks.empty())
    xlo = c.x.ticks.front();
  const auto [ylo, yhi] = range(ys, c.y.scale);
  const Mapper mx{c.x.scale, xlo, xhi, kLeft, kWidth - kRight};
  const Mapper my{c.y.scale, ylo, yhi, kHeight - kBottom, kTop};
  std::string body = axes(c.x, mx, ticks_for(c.x, xlo, xhi), c.y, my, ticks_for(c.y, ylo, yhi));
  std::vector<std::pair<std::string, size_t>> legend_entries;
  for (size_t i = 0; i < c.series.size(); ++i) {
    const auto& s = c.series[i];
    const size_t slot = s.colour >= 0 ? static_cast<size_t>(s.colour) : i;
    const char* colour = kColours[slot % std::size(kColours)];
    std::string path;
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y) || (c.y.scale == Scale::kLog && y <= 0)) continue;
      path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", mx(x), my(y));
      if (s.markers)
        body += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>", mx(x),
                            my(y), colour);
    }
    body += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"{}/>", path,
                        colour, s.dashed ? " stroke-dasharray=\"6 4\"" : "");
    if (s.in_legend) legend_entries.emplace_back(s.name, slot);
  }
  for (const auto& l : c.lines) {
    const double py = my(l.y);
    body += fmt::format(
        "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"ref\"/>"
        "<text x=\"{}\" y=\"{:.1f}\" class=\"reflabel\">{}</text>",
        kLeft, kWidth - kRight, py, py, kLeft + 6, py - 4, escape(l.label));
  }
  return frame(c.title, body + legend(legend_entries), legend_entries.size());
}

std::string render(const BarChart& c) {
  std::vector<double> ys;
  for (const auto& g : c.groups) ys.insert(ys.end(), g.second.begin(), g.second.end());
  if (ys.empty() || c.categories.empty())
    return frame(c.title, "<text x=\"300\" y=\"160\" class=\"tick\">no data</text>", 0);
  ys.push_back(0);
  const auto [ylo, yhi] = range(ys, c.y.scale);
  const Mapper my{c.y.scale, ylo, yhi, kHeight - kBottom, kTop};
  const double x0 = kLeft, x1 = kWidth - kRight;
  const double slot = (x1 - x0) / static_cast<double>(c.categories.size());
  const double bar = slot * 0.8 / static_cast<double>(std::max<size_t>(1, c.groups.size()));
  Axis none;
  const Mapper mx{Scale::kLinear, 0, 1, x0, x1};
  std::string body = axes(none, mx, {}, c.y, my, ticks_for(c.y, ylo, yhi));
  std::vector<std::pair<std::string, size_t>> names;
  for (size_t g = 0; g < c.groups.size(); ++g) {
    names.emplace_back(c.groups[g].first, g);
    for (size_t k = 0; k < c.categories.size() && k < c.groups[g].second.size(); ++k) {
      const double v = c.groups[g].second[k];
      const double top = my(v), base = my(c.y.scale == Scale::kLog ? ylo : 0);
      const double x =
          x0 + slot * static_cast<double>(k) + slot * 0.1 + bar * static_cast<double>(g);
      body += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
          "fill=\"{}\"><title>{}: {}</title></rect>",
          x, std::min(top, base), bar * 0.95, std::abs(base - top),
          kColours[g % std::size(kColours)], escape(c.categories[k]), escape(label_of(c.y, v)));
    }
  }
  for (size_t k = 0; k < c.categories.size(); ++k)
    body += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}"
        "</text>",
        x0 + slot * (static_cast<double>(k) + 0.5), kHeight - kBottom + 16,
        escape(c.categories[k]));
  return frame(c.title, body + legend(names), names.size());
}

}  // namespace reports::svg
