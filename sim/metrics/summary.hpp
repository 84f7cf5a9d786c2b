// summary.json: the stable, machine-readable result of a run. Key names are a contract with
// users' scripts and the regression gate: add keys, never rename them.
#pragma once

#include <cstdint>

#include "sim/metrics/economics.hpp"
#include "sim/metrics/metrics.hpp"
#include "sim/spec/scenario_spec.hpp"
#include "sim/util/json_reader.hpp"

namespace fleetsim {

struct SimStats {
  std::uint64_t events = 0;
  double wall_s = 0;
  double peak_rss_mb = 0;
  std::uint64_t in_flight_at_end = 0;  // of the window's requests; all finished after it
  double end_s = 0;                    // simulated time when the last of them ended
};

Json make_summary(const ScenarioSpec& s, const Metrics& m, const Economics& e, const SimStats& st);

// Peak resident set size of this process so far, in MiB (getrusage).
double peak_rss_mb();

}  // namespace fleetsim
