// Deterministic random streams: one root seed, one named sub-stream per consumer, and the few
// distributions fleetsim needs written here (std::*_distribution differs between libraries).
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

#include "sim/engine/portable_math.hpp"
#include "sim/engine/ziggurat.hpp"

namespace fleetsim {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// FNV-1a: a stable hash of a stream name, identical on every platform.
inline constexpr std::uint64_t stable_hash(std::string_view s) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

// xoshiro256** generator with distributions. Streams are derived from (root seed, name[, index])
// so that adding a consumer never shifts the numbers another consumer draws.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 1) { reseed(seed); }
  Rng(std::uint64_t root_seed, std::string_view stream, std::uint64_t index = 0) {
    std::uint64_t mix = root_seed ^ stable_hash(stream);
    mix = splitmix64(mix) ^ (index * 0xD1B54A32D192ED03ULL);
    reseed(mix);
  }

  void reseed(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64(sm);
  }

  std::uint64_t next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1]: safe to take the log of.
  double uniform_pos() { return 1.0 - uniform(); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [0, n), without modulo bias (Lemire's method).
  std::uint64_t below(std::uint64_t n) {
    if (n <= 1) return 0;
    __extension__ using u128 = unsigned __int128;
    u128 m = static_cast<u128>(next_u64()) * n;
    std::uint64_t low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<u128>(next_u64()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  bool bernoulli(double p) { return uniform() < p; }
  double exponential(double mean) { return mean * exp1(); }
  // Exp(1) by the ziggurat method: one 64-bit draw gives the layer (8 bits) and the magnitude
  // (53); about 99% of draws end at the first comparison. The tail beyond r is r + Exp(1), by
  // memorylessness.
  double exp1() {
    const auto& t = ziggurat::exponential_tables();
    double base = 0;
    for (;;) {
      const std::uint64_t r = next_u64();
      const auto layer = static_cast<std::size_t>(r & 0xff);
      const std::uint64_t magnitude = r >> 11;
      const double x = static_cast<double>(magnitude) * t.width[layer];
      if (magnitude < t.inside[layer]) return base + x;
      if (layer == 0) {
        base += ziggurat::kExpR;
        continue;
      }
      if (ziggurat::under_curve(t, layer, uniform(), pmath::exp(-x))) return base + x;
    }
  }

  // Standard normal by the ziggurat method (sim/engine/ziggurat.hpp): one 64-bit draw gives the
  // layer (8 bits), the sign (1) and the magnitude (52); about 99% of draws end at the first
  // comparison, the rest test the layer's wedge or draw from the tail beyond r.
  double normal() {
    const auto& t = ziggurat::normal_tables();
    for (;;) {
      const std::uint64_t r = next_u64();
      const auto layer = static_cast<std::size_t>(r & 0xff);
      const bool negative = (r >> 8) & 1;
      const std::uint64_t magnitude = (r >> 9) & 0x000fffffffffffffULL;
      const double x = static_cast<double>(magnitude) * t.width[layer];
      if (magnitude < t.inside[layer]) return negative ? -x : x;
      if (layer == 0) {
        const double tail = ziggurat::normal_tail([this] { return exp1(); });
        return negative ? -tail : tail;
      }
      if (ziggurat::under_curve(t, layer, uniform(), pmath::exp(-0.5 * x * x))) return negative ? -x : x;
    }
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }
  double lognormal(double mu, double sigma) { return pmath::exp(mu + sigma * normal()); }

  // Gamma(shape, 1) by Marsaglia-Tsang; shape < 1 by the boost u^(1/shape).
  double gamma(double shape) {
    if (shape < 1.0) return gamma(shape + 1.0) * pmath::pow(uniform_pos(), 1.0 / shape);
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform_pos();
      if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
      if (pmath::log(u) < 0.5 * x * x + d * (1.0 - v + pmath::log(v))) return d * v;
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace fleetsim
