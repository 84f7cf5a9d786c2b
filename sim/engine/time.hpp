// Simulated time: integer nanoseconds, and the one place where durations are derived from
// physical quantities (so the rounding rule is written once).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace fleetsim {

// A point in simulated time or a duration, in nanoseconds. int64 holds 292 years.
using TimeNs = std::int64_t;

inline constexpr TimeNs kNsPerUs = 1'000;
inline constexpr TimeNs kNsPerMs = 1'000'000;
inline constexpr TimeNs kNsPerS = 1'000'000'000;
inline constexpr TimeNs kNsPerHour = 3'600 * kNsPerS;
inline constexpr TimeNs kNsPerDay = 24 * kNsPerHour;
inline constexpr TimeNs kTimeNever = std::numeric_limits<TimeNs>::max();

// Converts a duration in (fractional) seconds to nanoseconds, rounding up so that a non-zero
// cost never becomes a zero-length event. This is the only seconds -> ns conversion.
inline TimeNs seconds_to_ns(double seconds) {
  if (!(seconds > 0.0)) return 0;
  const double ns = std::ceil(seconds * 1e9);
  return ns >= 9.2e18 ? kTimeNever : static_cast<TimeNs>(ns);
}

// Time to move `bytes` at `bytes_per_s` (rounded up, see seconds_to_ns).
inline TimeNs transfer_time_ns(double bytes, double bytes_per_s) {
  return seconds_to_ns(bytes / bytes_per_s);
}

inline double ns_to_seconds(TimeNs ns) { return static_cast<double>(ns) * 1e-9; }
inline double ns_to_ms(TimeNs ns) { return static_cast<double>(ns) * 1e-6; }

}  // namespace fleetsim
