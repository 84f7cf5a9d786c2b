// The run against a published day, hour by hour: average nodes against the published node-count
// schedule, GPU cost and theoretical income against the published hourly bars.
#pragma once

#include <vector>

#include "sim/metrics/economics.hpp"
#include "sim/spec/scenario_spec.hpp"

namespace fleetsim {

// Nodes the schedule holds at wall-clock hour `clock_h` (taken mod 24; before the first step of
// the day the last one still holds).
double scheduled_nodes_at(const std::vector<PublishedNodeStep>& schedule, double clock_h);
// Time-weighted mean of the schedule over `hours` of wall clock from `from_clock_h`.
double scheduled_mean_nodes(const std::vector<PublishedNodeStep>& schedule, double from_clock_h, double hours);

struct HourAgainstPublished {
  double clock_h = 0;  // wall-clock hour the bucket starts at
  double nodes = 0, published_nodes = 0;
  double cost_usd = 0, published_cost_usd = 0;
  double income_usd = 0, published_income_usd = 0;  // theoretical (list-price) income
};

struct DayAgainstPublished {
  std::vector<HourAgainstPublished> hours;
  double nodes_mean_abs_error = 0;  // nodes, over the compared hours
  double nodes_max_abs_error = 0;
  double cost_mean_abs_error_pct = 0;  // mean over hours of |simulated - published| / published
  double income_mean_abs_error_pct = 0;
};

// Compares the hours the run covered whole that start on a whole wall-clock hour (the grid of
// the published bars); a run with none gives no hours and zero errors.
DayAgainstPublished compare_with_published(const PublishedDay& day, const Economics& e, double run_hours);

}  // namespace fleetsim
