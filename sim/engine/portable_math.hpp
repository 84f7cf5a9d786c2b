// Elementary functions (log, exp, pow and kin) that give the same bits on every IEEE-754 machine.
// The C library's do not: glibc picks FMA or non-FMA code by CPU (and other C libraries may differ
// again), and the two disagree in the last bit of one call in 10^3 to 10^4; a seeded run must not
// depend on where it ran.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "sim/engine/portable_math_tables.hpp"

// Every operation here is a single IEEE add, subtract, multiply, divide or bit move, evaluated in
// the order written: that needs binary64 arithmetic without excess precision (x86-64 SSE2,
// AArch64) and no contraction into fused multiply-adds (the build passes -ffp-contract=off).
// Accuracy: within two units in the last place of glibc's results (tests/engine).

namespace fleetsim::pmath {

namespace detail {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The bits of a double and back (std::bit_cast, which the CUDA sources' C++17 lacks).
inline std::uint64_t bits_of(double x) {
  std::uint64_t i;
  std::memcpy(&i, &x, sizeof i);
  return i;
}
inline double from_bits(std::uint64_t i) {
  double x;
  std::memcpy(&x, &i, sizeof x);
  return x;
}

// A value as the sum of a rounded head and a small tail.
struct DoubleDouble {
  double hi, lo;
};

// a + b and its exact error when |a| >= |b| or a == 0 (Dekker's Fast2Sum).
inline DoubleDouble fast_two_sum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}

// a * b as the rounded product and its exact error, by Veltkamp splitting (no FMA needed).
inline DoubleDouble two_prod(double a, double b) {
  constexpr double kSplit = 134217729.0;  // 2^27 + 1
  const double p = a * b;
  const double ta = kSplit * a, tb = kSplit * b;
  const double ah = ta - (ta - a), al = a - ah;
  const double bh = tb - (tb - b), bl = b - bh;
  const double err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return {p, err};
}

// 2^k for k in the normal range [-1022, 1023].
inline double pow2i(std::int64_t k) {
  return from_bits(static_cast<std::uint64_t>(k + 1023) << 52);
}

// x > 0 finite as 2^k z, z in [0.6875, 1.375) near a table point c: ln z = ln c + r + tail.
struct Reduced {
  std::int64_t k;
  DoubleDouble log_c;
  double r, tail;
};

// ln z = ln c + r + tail as head and tail. |ln c| >= 0.0117 > |r| unless c = 1, where ln c = 0:
// so the larger term comes first and Fast2Sum is exact.
inline DoubleDouble log_z(const Reduced& x) {
  const DoubleDouble b = fast_two_sum(x.log_c.hi, x.r);
  return {b.hi, b.lo + (x.log_c.lo + x.tail)};
}

inline Reduced reduce_log(double x) {
  std::uint64_t ix = bits_of(x);
  std::int64_t k = 0;
  if (ix < (std::uint64_t{1} << 52)) {  // subnormal: scale into the normal range first
    ix = bits_of(x * 0x1p52);
    k = -52;
  }
  constexpr std::uint64_t kOff = 0x3fe6000000000000ULL;  // bits of 0.6875
  const std::uint64_t tmp = ix - kOff;
  k += static_cast<std::int64_t>(tmp) >> 52;
  const auto i =
      static_cast<std::size_t>((tmp >> (52 - kLogTableBits)) & ((1u << kLogTableBits) - 1));
  const double z = from_bits(ix - (tmp & (std::uint64_t{0xfff} << 52)));
  const LogEntry& e = kLogTable[i];
  // ln z = ln c + ln(1 + r), r = (z - c) / c: z - c is exact (Sterbenz), and so is r where c = 1
  // (the two subintervals at 1, where the result is small); |r| <= 1/64.
  const double r = (z - e.c) * e.inv_c;
  const double r2 = r * r;
  // ln(1 + r) - r to r^9 (|r|^10 / 10 < 1e-19 |r|), grouped so that fewer multiplies wait on
  // each other.
  const double t34 = 1.0 / 3 - r * 0.25;
  const double t56 = 0.2 - r * (1.0 / 6);
  const double t78 = 1.0 / 7 - r * 0.125;
  const double tail = r2 * (-0.5 + r * (t34 + r2 * t56 + r2 * r2 * (t78 + r2 * (1.0 / 9))));
  return {k, {e.log_hi, e.log_lo}, r, tail};
}

// ln x = k ln2 + ln z as head and tail (|k ln2| >= 0.69 > |ln z| unless k = 0: Fast2Sum is exact).
inline DoubleDouble log_dd(const Reduced& x) {
  const DoubleDouble lz = log_z(x);
  const double kd = static_cast<double>(x.k);
  const DoubleDouble a = fast_two_sum(kd * kLn2_hi, lz.hi);
  return fast_two_sum(a.hi, a.lo + lz.lo + kd * kLn2_lo);
}

// log_b x = k log_b(2) + ln z / ln b, from 1 / ln b and log_b(2) as heads and tails (|k log_b 2|
// > |log_b z| unless k = 0).
inline double log_base(const Reduced& x, double inv_ln_b_hi, double inv_ln_b_lo, double log_b2_hi,
                       double log_b2_lo) {
  const DoubleDouble lz = log_z(x);
  const double kd = static_cast<double>(x.k);
  const DoubleDouble p = two_prod(lz.hi, inv_ln_b_hi);
  const double lo = p.lo + lz.hi * inv_ln_b_lo + lz.lo * inv_ln_b_hi;
  const DoubleDouble a = fast_two_sum(kd * log_b2_hi, p.hi);
  return a.hi + (a.lo + lo + kd * log_b2_lo);
}

// 2^(n/64) e^r for |r| <= ln2/128 (a little more is harmless); overflows to +inf.
inline double exp_reduced(std::int64_t n, double r) {
  // e^r - 1 by its Taylor series to r^6 (|r|^7 / 7! < 3e-20).
  const double p =
      r + r * r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720)))));
  const Exp2Entry& t = kExp2Table[static_cast<std::size_t>(n & ((1 << kExpTableBits) - 1))];
  const double m = t.hi + (t.lo + t.hi * p);  // 2^(j/64) e^r, in [0.99, 2.01]
  const std::int64_t k = n >> kExpTableBits;  // arithmetic shift: floor(n / 64)
  if (k > 1023) return m * 2.0 * pow2i(k - 1);
  if (k >= -1022) return m * pow2i(k);
  return m * pow2i(k + 200) * 0x1p-200;  // subnormal result: exact scaling, then one rounding
}

// The nearest integer to x (|x| < 2^51) by the round-to-nearest of adding 1.5 * 2^52.
inline double round_to_int(double x) {
  constexpr double kShift = 0x1.8p52;
  return (x + kShift) - kShift;
}

// e^(hi + lo) for |lo| tiny against |hi|; overflows to +inf and underflows to 0.
inline double exp_dd(double hi, double lo) {
  if (!(hi < 709.8)) return hi != hi ? hi : kInf;  // NaN stays NaN
  if (hi < -745.2) return 0.0;
  // hi = n ln2/64 + r; n * head is exact and hi - n * head too (Sterbenz).
  const double nd = round_to_int(hi * k64OverLn2);
  const double r = (hi - nd * kLn2Over64_hi) - nd * kLn2Over64_lo + lo;
  return exp_reduced(static_cast<std::int64_t>(nd), r);
}

}  // namespace detail

// Natural logarithm.
inline double log(double x) {
  if (!(x > 0) || x == detail::kInf) {
    if (x == 0) return -detail::kInf;
    return x > 0 ? x : detail::kNaN;  // +inf stays; negative or NaN gives NaN
  }
  return detail::log_dd(detail::reduce_log(x)).hi;
}

// Base-2 logarithm; exact for powers of two.
inline double log2(double x) {
  if (!(x > 0) || x == detail::kInf) return log(x);
  return detail::log_base(detail::reduce_log(x), detail::kInvLn2_hi, detail::kInvLn2_lo, 1.0, 0.0);
}

// Base-10 logarithm.
inline double log10(double x) {
  if (!(x > 0) || x == detail::kInf) return log(x);
  return detail::log_base(detail::reduce_log(x), detail::kInvLn10_hi, detail::kInvLn10_lo,
                          detail::kLog10Of2_hi, detail::kLog10Of2_lo);
}

// ln(1 + x), accurate for small x (Kahan: the rounding of 1 + x is divided back out).
inline double log1p(double x) {
  const double u = 1.0 + x;
  if (u == 1.0) return x;
  if (u == detail::kInf) return u;
  return log(u) * (x / (u - 1.0));
}

// e^x.
inline double exp(double x) { return detail::exp_dd(x, 0.0); }

// 2^x; exact for integers.
inline double exp2(double x) {
  if (!(x < 1024)) return x != x ? x : detail::kInf;
  if (x < -1075) return 0.0;
  // x = n/64 + d exactly: n/64 lies on the grid of doubles near x, and |d| <= 1/128.
  const double nd = detail::round_to_int(x * 64);
  const double d = x - nd * (1.0 / 64);
  return detail::exp_reduced(static_cast<std::int64_t>(nd),
                             d * (detail::kLn2_hi + detail::kLn2_lo));
}

// x^y. A negative base takes an integer exponent (the sign by its parity), as std::pow does.
inline double pow(double x, double y) {
  if (y == 0 || x == 1) return 1.0;
  if (x != x || y != y) return detail::kNaN;
  if (x < 0) {
    if (std::floor(y) != y) return detail::kNaN;  // floor is exact on every machine
    const double m = pow(-x, y);
    const bool odd = std::floor(y * 0.5) != y * 0.5;
    return odd ? -m : m;
  }
  if (x == 0) return y > 0 ? 0.0 : detail::kInf;
  if (x == detail::kInf) return y > 0 ? detail::kInf : 0.0;
  // ln x as a double-double, times y, then e^ of that pair.
  const detail::DoubleDouble lx = detail::log_dd(detail::reduce_log(x));
  const detail::DoubleDouble p = detail::two_prod(lx.hi, y);
  return detail::exp_dd(p.hi, p.lo + lx.lo * y);
}

// The nearest integer, halves away from zero: std::llround's result for finite |x| < 2^63, without
// its call into the C library (a few million per simulated hour). Truncation is exact, and so is
// the remainder x - t: a multiple of x's last-place unit smaller than 1 in magnitude (and 0 from
// 2^52 on, where every double is an integer).
inline std::int64_t llround(double x) {
  const auto t = static_cast<std::int64_t>(x);
  const double rest = x - static_cast<double>(t);
  // Flags, not branches: which way a random length rounds is a coin toss the predictor loses.
  return t + static_cast<std::int64_t>(rest >= 0.5) - static_cast<std::int64_t>(rest <= -0.5);
}

}  // namespace fleetsim::pmath
