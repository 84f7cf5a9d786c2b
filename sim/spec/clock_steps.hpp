// A schedule of steps on the wall clock (sorted by their hour in [0, 24)): which step is in force.
#pragma once

#include <cmath>
#include <cstddef>

namespace fleetsim {

// Clock readings closer than this (hours, about 4 microseconds) are the same instant.
inline constexpr double kClockStepEps = 1e-9;

// Index of the step in force at wall-clock hour `clock_h` (taken mod 24): the latest one at or
// before it, or, before the day's first step, the last one (the schedule wraps at midnight).
// `clock_of(step)` gives a step's hour. Requires a non-empty schedule.
template <typename Steps, typename ClockOf>
std::size_t step_in_force(const Steps& steps, double clock_h, ClockOf clock_of) {
  double c = std::fmod(clock_h, 24.0);
  if (c < 0) c += 24.0;
  std::size_t in_force = steps.size() - 1;
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (clock_of(steps[i]) <= c + kClockStepEps) in_force = i;
  return in_force;
}

}  // namespace fleetsim
