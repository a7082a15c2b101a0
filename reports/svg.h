// Charts as inline SVG, for report pages that need no script and no network to read. Only what the
// reports draw: line charts on linear or log axes (with reference lines) and grouped bar charts.
// No Debian-packaged C++ library draws SVG charts, so this is our own, small one.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace reports::svg {

enum class Scale { kLinear, kLog };

struct Axis {
  std::string label;
  Scale scale = Scale::kLinear;
  // How a tick value reads; plain numbers when empty.
  std::function<std::string(double)> format;
  // Fixed ticks (in data units) instead of computed ones, e.g. a percentile axis.
  std::vector<double> ticks;
};

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), in x order
  bool dashed = false;
  bool markers = false;  // a dot per point (few points, e.g. a size sweep)
  // The palette entry to draw with; -1: the series' position. Lets a reference series (a
  // ceiling) share its measured series' colour.
  int colour = -1;
  bool in_legend = true;
};

struct RefLine {
  double y = 0;
  std::string label;
};

struct LineChart {
  std::string title;
  Axis x, y;
  std::vector<Series> series;
  std::vector<RefLine> lines;  // horizontal, e.g. the throughput ceiling
};

struct BarChart {
  std::string title;
  Axis y;
  std::vector<std::string> categories;                              // along x
  std::vector<std::pair<std::string, std::vector<double>>> groups;  // one bar per category each
};

std::string render(const LineChart& c);
std::string render(const BarChart& c);

// Text for HTML and SVG: & < > " escaped.
std::string escape(const std::string& s);
// A latency in ns as people read it (ns, us, ms, s).
std::string format_ns(double ns);

}  // namespace reports::svg
