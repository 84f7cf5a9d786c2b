// Hour-by-hour comparison with a published day (see day_comparison.hpp).
#include "sim/metrics/day_comparison.hpp"

#include "sim/spec/clock_steps.hpp"

#include <algorithm>
#include <cmath>

namespace fleetsim {

namespace {
constexpr double kHoursPerDay = 24;

double wrap_clock(double h) {
  const double c = std::fmod(h, kHoursPerDay);
  return c < 0 ? c + kHoursPerDay : c;
}
}  // namespace

double scheduled_nodes_at(const std::vector<PublishedNodeStep>& schedule, double clock_h) {
  if (schedule.empty()) return 0;
  return schedule[step_in_force(schedule, clock_h, [](const PublishedNodeStep& s) { return s.clock_h; })].nodes;
}

double scheduled_mean_nodes(const std::vector<PublishedNodeStep>& schedule, double from_clock_h, double hours) {
  if (schedule.empty() || !(hours > 0)) return 0;
  double t = from_clock_h, node_h = 0;
  const double end = from_clock_h + hours;
  while (t < end - kClockStepEps) {
    const double c = wrap_clock(t);
    // The next step after c, on this day or (past the last one) the first of the next day.
    double next = schedule.front().clock_h + kHoursPerDay;
    for (const PublishedNodeStep& s : schedule) {
      if (s.clock_h > c + kClockStepEps) {
        next = s.clock_h;
        break;
      }
    }
    const double seg_end = std::min(end, t + (next - c));
    node_h += scheduled_nodes_at(schedule, c) * (seg_end - t);
    t = seg_end;
  }
  return node_h / hours;
}

DayAgainstPublished compare_with_published(const PublishedDay& day, const Economics& e, double run_hours) {
  DayAgainstPublished out;
  for (std::size_t i = 0; i < e.hours.size(); ++i) {
    if (static_cast<double>(i + 1) > run_hours + kClockStepEps) break;  // a partial last hour
    const HourEconomics& he = e.hours[i];
    const double whole = std::round(he.clock_h);
    if (std::fabs(he.clock_h - whole) > kClockStepEps) continue;  // off the bars' grid
    const auto bar = static_cast<std::size_t>(wrap_clock(whole - day.hours_start_clock_h) + 0.5) % 24;
    HourAgainstPublished h;
    h.clock_h = he.clock_h;
    h.nodes = he.nodes_avg;
    h.published_nodes = scheduled_mean_nodes(day.node_schedule, he.clock_h, 1);
    h.cost_usd = he.cost_usd;
    h.published_cost_usd = day.hourly_cost_usd[bar];
    h.income_usd = he.theoretical_usd;
    h.published_income_usd = day.hourly_theoretical_income_usd[bar];
    out.hours.push_back(h);
  }
  if (out.hours.empty()) return out;
  auto pct = [](double sim, double pub) { return pub > 0 ? std::fabs(sim - pub) / pub * 100 : 0.0; };
  for (const HourAgainstPublished& h : out.hours) {
    const double err = std::fabs(h.nodes - h.published_nodes);
    out.nodes_mean_abs_error += err;
    out.nodes_max_abs_error = std::max(out.nodes_max_abs_error, err);
    out.cost_mean_abs_error_pct += pct(h.cost_usd, h.published_cost_usd);
    out.income_mean_abs_error_pct += pct(h.income_usd, h.published_income_usd);
  }
  const auto n = static_cast<double>(out.hours.size());
  out.nodes_mean_abs_error /= n;
  out.cost_mean_abs_error_pct /= n;
  out.income_mean_abs_error_pct /= n;
  return out;
}

}  // namespace fleetsim
