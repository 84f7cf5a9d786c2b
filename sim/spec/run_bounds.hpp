// Limits that keep a run finite in simulated time, wall time and memory: an input past them is
// an error naming its path, not a clock that overflows or a run that never reaches its end.
#pragma once

#include <cstdint>
#include <string>

#include "sim/engine/time.hpp"
#include "sim/util/json_reader.hpp"
#include "sim/util/registry.hpp"

namespace fleetsim {

// The longest run: a leap year, far inside the 292 years that int64 nanoseconds hold.
inline constexpr double kMaxDurationS = 366.0 * 24 * 3600;
// The most times one periodic process (a timeline sample, an EPLB period, an autoscaler
// decision) may happen in a run: a year at a 32 s period. Past it a run takes days of wall time,
// or more memory than a machine has, on series sampled finer than anyone reads them.
inline constexpr double kMaxRepeatsPerRun = 1e6;
// The most requests per simulated day of a synthetic load: a mean gap of 86 ns between arrivals,
// about 6,400 times the Day-6 load.
inline constexpr double kMaxRequestsPerDay = 1e12;

// The most times a trace may be replayed in a run (it is held as an int).
inline constexpr std::int64_t kMaxTraceRepeats = 1'000'000;

// The largest node pool (and unit): 800,000 GPUs. Every unit the pool could hold is built at the
// start, so a pool far past any fleet would only exhaust memory before the first event.
inline constexpr int kMaxClusterNodes = 100'000;
inline constexpr const char* kClusterNodesRange = "an integer in [1, 100000]";

// Fails unless a process every `period_s` (a number of seconds) happens at most
// kMaxRepeatsPerRun times over `duration_ns`.
void check_repeats(const JsonReader& period_s, TimeNs duration_ns);
// The same for the period parameter `key` of a policy.
void check_repeats(const Params& p, const std::string& key, TimeNs duration_ns);

}  // namespace fleetsim
