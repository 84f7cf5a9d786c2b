// Summary statistics of relative errors, shared by the calibration reports (kernel fit, kernel
// comparison): medians and maxima, signed or in absolute value.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace fleetsim::error_stats {

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

inline double median_abs(std::vector<double> v) {
  for (double& x : v) x = std::fabs(x);
  return median(std::move(v));
}

inline double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

}  // namespace fleetsim::error_stats
