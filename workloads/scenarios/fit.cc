#include "workloads/scenarios/fit.h"

namespace workloads {

LinearFit least_squares(std::span<const std::pair<double, double>> xy) {
  LinearFit f;
  const double n = static_cast<double>(xy.size());
  if (xy.size() < 2) return f;
  double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
  for (const auto& [x, y] : xy) {
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
  }
  const double den = n * sxx - sx * sx;
  if (den == 0) return f;
  f.slope = (n * sxy - sx * sy) / den;
  f.intercept = (sy - f.slope * sx) / n;
  const double ss_tot = syy - sy * sy / n;
  double ss_res = 0;
  for (const auto& [x, y] : xy) {
    const double e = y - (f.slope * x + f.intercept);
    ss_res += e * e;
  }
  f.r2 = ss_tot > 0 ? 1 - ss_res / ss_tot : 1;
  return f;
}

double jain_index(std::span<const double> x) {
  double s = 0, s2 = 0;
  for (double v : x) {
    s += v;
    s2 += v * v;
  }
  return s2 > 0 ? s * s / (static_cast<double>(x.size()) * s2) : 1;
}

}  // namespace workloads
