// Tables of the ziggurat method for standard normal and Exp(1) draws (Marsaglia and Tsang, "The
// Ziggurat Method for Generating Random Variables", J. Stat. Softw. 5(8), 2000), in 256 layers.
// Built once from the portable maths, so every platform draws the same numbers.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "sim/engine/portable_math.hpp"

namespace fleetsim::ziggurat {

inline constexpr int kLayers = 256;
// The base layer's right edge and every layer's area, for 256 layers (the paper's constants
// r = 3.6541528853610088 and v = 4.92867323399e-3).
inline constexpr double kR = 3.6541528853610088;
inline constexpr double kArea = 4.92867323399e-3;
// Draws carry 52 bits of magnitude: x = magnitude * width[layer].
inline constexpr double kMagnitudeScale = 4503599627370496.0;  // 2^52

struct Tables {
  // A draw of layer i with magnitude below inside[i] lies wholly under the curve.
  std::array<std::uint64_t, kLayers> inside{};
  std::array<double, kLayers> width{};    // x_i / 2^bits (the base layer: v / f(r) / 2^bits)
  std::array<double, kLayers> density{};  // f(x_i); 1 for the top edge (x = 0)
};

// The paper's zigset, for a decreasing density f with f(0) = 1 and its inverse: x_255 = r, and
// going up each layer's edge solves v = x_i (f(x_{i-1}) - f(x_i)).
template <class Density, class Inverse>
Tables build_tables(double r, double area, double magnitude_scale, Density f, Inverse f_inverse) {
  Tables t;
  double x = r, below = r;  // the edge being found, and the one under it
  const double q = area / f(r);
  t.inside[0] = static_cast<std::uint64_t>((r / q) * magnitude_scale);
  t.inside[1] = 0;
  t.width[0] = q / magnitude_scale;
  t.width[kLayers - 1] = r / magnitude_scale;
  t.density[0] = 1.0;
  t.density[kLayers - 1] = f(r);
  for (int i = kLayers - 2; i >= 1; --i) {
    x = f_inverse(area / x + f(x));
    t.inside[static_cast<std::size_t>(i + 1)] = static_cast<std::uint64_t>((x / below) * magnitude_scale);
    below = x;
    t.density[static_cast<std::size_t>(i)] = f(x);
    t.width[static_cast<std::size_t>(i)] = x / magnitude_scale;
  }
  return t;
}

inline Tables build_normal_tables() {
  return build_tables(
      kR, kArea, kMagnitudeScale, [](double x) { return pmath::exp(-0.5 * x * x); },
      [](double y) { return std::sqrt(-2.0 * pmath::log(y)); });
}

// Whether a draw at x in layer `layer` (>= 1), outside the layer's inner rectangle, lies under the
// curve: a uniform height u in the layer's wedge, against f(x).
inline bool under_curve(const Tables& t, std::size_t layer, double u, double f_x) {
  return t.density[layer] + u * (t.density[layer - 1] - t.density[layer]) < f_x;
}

// A standard normal draw conditioned on exceeding r (Marsaglia 1964): r + E1 / r, accepted when
// 2 E2 > (E1 / r)^2, from Exp(1) draws E1 and E2. `exp1` returns a fresh Exp(1) draw per call.
template <class Exp1>
double normal_tail(Exp1&& exp1) {
  for (;;) {
    const double x = exp1() / kR;
    const double y = exp1();
    if (y + y > x * x) return kR + x;
  }
}

inline const Tables& normal_tables() {
  static const Tables t = build_normal_tables();
  return t;
}

// Exp(1): f(x) = exp(-x), base layer edge and layer area for 256 layers (the paper's constants),
// 53-bit magnitudes.
inline constexpr double kExpR = 7.697117470131487;
inline constexpr double kExpArea = 3.949659822581572e-3;
inline constexpr double kExpMagnitudeScale = 9007199254740992.0;  // 2^53

inline Tables build_exponential_tables() {
  return build_tables(
      kExpR, kExpArea, kExpMagnitudeScale, [](double x) { return pmath::exp(-x); },
      [](double y) { return -pmath::log(y); });
}

inline const Tables& exponential_tables() {
  static const Tables t = build_exponential_tables();
  return t;
}

}  // namespace fleetsim::ziggurat
