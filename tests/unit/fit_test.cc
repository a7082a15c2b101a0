#include "workloads/scenarios/fit.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

TEST(Fit, LeastSquaresRecoversALine) {
  std::vector<std::pair<double, double>> xy;
  for (int x = 1; x <= 64; x *= 2) xy.emplace_back(x, 1490.0 * x + 18500);
  const auto f = workloads::least_squares(xy);
  EXPECT_NEAR(f.slope, 1490, 1e-6);
  EXPECT_NEAR(f.intercept, 18500, 1e-6);
  EXPECT_NEAR(f.r2, 1, 1e-12);
}

TEST(Fit, JainIndexBounds) {
  const std::vector<double> fair = {5, 5, 5, 5};
  const std::vector<double> one = {20, 0, 0, 0};
  EXPECT_DOUBLE_EQ(workloads::jain_index(fair), 1.0);
  EXPECT_DOUBLE_EQ(workloads::jain_index(one), 0.25);
}

}  // namespace
