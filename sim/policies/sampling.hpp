// Discrete samplers the expert router needs beyond sim/engine/rng.hpp: binomial and multinomial,
// written here so results are identical across standard libraries.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "sim/engine/portable_math.hpp"
#include "sim/engine/rng.hpp"

namespace fleetsim {

// Binomial(n, p). Exact inversion while the mean of the rarer outcome is below
// kBinomialNormalMean; above it the normal approximation with rounding (skewness
// (1-2p)/sqrt(np(1-p)) < 0.23 there, which moves tail quantiles by well under one sd).
inline constexpr double kBinomialNormalMean = 20.0;

inline std::int64_t binomial(Rng& rng, std::int64_t n, double p) {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  const bool flip = p > 0.5;
  const double pp = flip ? 1.0 - p : p;
  const double mean = static_cast<double>(n) * pp;
  std::int64_t x = 0;
  if (mean < kBinomialNormalMean) {
    const double q = 1.0 - pp;
    const double ratio = pp / q;
    const double a = static_cast<double>(n + 1) * ratio;
    double prob = pmath::exp(static_cast<double>(n) * pmath::log1p(-pp));
    double u = rng.uniform();
    while (u > prob && x < n) {
      u -= prob;
      ++x;
      prob *= a / static_cast<double>(x) - ratio;
      if (!(prob > 0)) break;  // u left above a vanishing tail by rounding
    }
  } else {
    const double sd = std::sqrt(mean * (1.0 - pp));
    x = pmath::llround(mean + sd * rng.normal());
    x = std::clamp<std::int64_t>(x, 0, n);
  }
  return flip ? n - x : x;
}

// Multinomial(n, probs) into counts (same size as probs; probs sum to 1) by conditional binomials.
inline void multinomial(Rng& rng, std::int64_t n, std::span<const double> probs, std::span<std::int64_t> counts) {
  double mass = 1.0;
  const std::size_t m = probs.size();
  for (std::size_t i = 0; i < m; ++i) {
    if (n <= 0 || i + 1 == m) {
      counts[i] = i + 1 == m ? n : 0;
      n -= counts[i];
      continue;
    }
    const std::int64_t c = mass > 0 ? binomial(rng, n, std::min(1.0, probs[i] / mass)) : 0;
    counts[i] = c;
    n -= c;
    mass -= probs[i];
  }
}

// Walker/Vose alias table: O(1) draws from a fixed discrete distribution, one 64-bit draw each
// (32 bits pick the column, 32 bits the coin: resolution 2^-32, far below sampling noise).
class AliasTable {
 public:
  void build(std::span<const double> weights) {
    const std::size_t n = weights.size();
    prob_.assign(n, 0.0);
    alias_.assign(n, 0);
    double total = 0;
    for (double w : weights) total += w;
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small, large;
    for (std::size_t i = 0; i < n; ++i) {
      scaled[i] = total > 0 ? weights[i] * static_cast<double>(n) / total : 1.0;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      const std::uint32_t s = small.back(), l = large.back();
      small.pop_back();
      prob_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] -= 1.0 - scaled[s];
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (auto i : large) prob_[i] = 1.0;
    for (auto i : small) prob_[i] = 1.0;  // rounding leftovers
  }
  std::uint32_t sample(Rng& rng) const {
    const std::uint64_t u = rng.next_u64();
    const auto col = static_cast<std::uint32_t>(((u >> 32) * prob_.size()) >> 32);
    const double coin = static_cast<double>(u & 0xFFFFFFFFULL) * 0x1.0p-32;
    return coin < prob_[col] ? col : alias_[col];
  }

 private:
  std::vector<double> prob_;
  std::vector<std::uint32_t> alias_;
};

}  // namespace fleetsim
