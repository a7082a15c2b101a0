// Small statistics helpers shared by scenarios (I/O-free, unit-tested).
#pragma once

#include <span>
#include <utility>

namespace workloads {

struct LinearFit {
  double slope = 0;
  double intercept = 0;
  double r2 = 0;
};
// Least squares y = slope * x + intercept.
LinearFit least_squares(std::span<const std::pair<double, double>> xy);
// Jain's fairness index of per-client throughputs: 1 = perfectly fair, 1/n = one client gets all.
double jain_index(std::span<const double> x);

}  // namespace workloads
