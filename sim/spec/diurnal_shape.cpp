// Midpoint rates of the piecewise-linear diurnal shape (see diurnal_shape.hpp).
#include "sim/spec/diurnal_shape.hpp"

namespace fleetsim {

std::vector<double> linear_midpoint_rates(const std::vector<double>& hourly) {
  // A line through the midpoint rates m gives hour h the mean (m[h-1] + 6 m[h] + m[h+1]) / 8.
  // Solving for that to equal the hour's mean is diagonally dominant: Gauss-Seidel gains a
  // factor 3 or better a sweep, so 60 sweeps reach double precision.
  constexpr int kSweeps = 60;
  const std::size_t n = hourly.size();
  std::vector<double> m = hourly;
  if (n < 3) return m;
  for (int sweep = 0; sweep < kSweeps; ++sweep)
    for (std::size_t h = 0; h < n; ++h) m[h] = (8 * hourly[h] - m[(h + n - 1) % n] - m[(h + 1) % n]) / 6;
  return m;
}

}  // namespace fleetsim
