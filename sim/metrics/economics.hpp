// Cost, theoretical revenue (every token at R1 prices, as Day-6 computes it) and actual revenue
// (V3 share, free traffic, night discount), by hour and for the day, from collected counters.
#pragma once

#include <vector>

#include "sim/metrics/metrics.hpp"
#include "sim/spec/scenario_spec.hpp"

namespace fleetsim {

struct HourEconomics {
  double clock_h = 0;  // wall-clock hour at the start of the bucket
  double nodes_avg = 0;
  double cost_usd = 0, theoretical_usd = 0, actual_usd = 0;
};

struct Economics {
  std::vector<HourEconomics> hours;
  double cost_usd = 0, theoretical_usd = 0, actual_usd = 0;
  // Cost-profit margin as Day-6 defines it: revenue / cost - 1, in percent.
  double margin_pct() const { return cost_usd > 0 ? (theoretical_usd / cost_usd - 1) * 100 : 0; }
  double actual_margin_pct() const { return cost_usd > 0 ? (actual_usd / cost_usd - 1) * 100 : 0; }
};

// Fraction of [start_h, start_h + 1) (wall clock, hours mod 24) inside the window [a, b).
double night_overlap(double start_h, double a, double b);

Economics compute_economics(const std::vector<HourBucket>& hours, const ScenarioSpec& s);

}  // namespace fleetsim
