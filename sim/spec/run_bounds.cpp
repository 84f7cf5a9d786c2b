// Run bounds (see run_bounds.hpp).
#include "sim/spec/run_bounds.hpp"

#include <cstdio>

namespace fleetsim {

void check_repeats(const JsonReader& period_s, TimeNs duration_ns) {
  const double duration_s = ns_to_seconds(duration_ns);
  if (duration_s / period_s.as_number() <= kMaxRepeatsPerRun) return;
  char shortest[32];
  std::snprintf(shortest, sizeof shortest, "%.6g", duration_s / kMaxRepeatsPerRun);
  period_s.fail(std::string("a period of at least ") + shortest +
                " s (duration_s / 1,000,000: at most a million repeats per run)");
}

void check_repeats(const Params& p, const std::string& key, TimeNs duration_ns) {
  check_repeats(JsonReader(p.json().at(key), p.file(), p.path() + "/" + key), duration_ns);
}

}  // namespace fleetsim
