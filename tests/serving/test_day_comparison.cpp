// The run against a published day: the step schedule's means and the hour-by-hour comparison.
#include <catch2/catch.hpp>

#include "sim/metrics/day_comparison.hpp"
#include "sim/spec/scenario_spec.hpp"

using namespace fleetsim;

namespace {
const std::string kScenario = FLEETSIM_SOURCE_DIR "/scenarios/deepseek-v3-r1-day.json";

// 100 nodes from midnight, 40 from 03:30, 100 again from 06:30 (the last step wraps to midnight).
std::vector<PublishedNodeStep> night_dip() { return {{0.0, 100}, {3.5, 40}, {6.5, 100}}; }
}  // namespace

TEST_CASE("a step schedule holds each step until the next, wrapping at midnight") {
  const auto s = night_dip();
  CHECK(scheduled_nodes_at(s, 3.49) == 100);
  CHECK(scheduled_nodes_at(s, 3.5) == 40);
  CHECK(scheduled_nodes_at(s, 23.9) == 100);
  CHECK(scheduled_nodes_at(s, 27.6) == 40);  // 03:36 the next day
  // Before the day's first step the last one still holds.
  const std::vector<PublishedNodeStep> late{{8.0, 10}, {20.0, 30}};
  CHECK(scheduled_nodes_at(late, 2.0) == 30);
}

TEST_CASE("a step schedule's mean over a window weighs each step by its time in it") {
  const auto s = night_dip();
  CHECK(scheduled_mean_nodes(s, 3.0, 1.0) == Approx(70));  // half an hour each
  CHECK(scheduled_mean_nodes(s, 22.0, 6.0) == Approx((5.5 * 100 + 0.5 * 40) / 6));
  CHECK(scheduled_mean_nodes(s, 0.0, 24.0) == Approx((21 * 100 + 3 * 40) / 24.0));
}

TEST_CASE("Day-6's digitized schedule averages the published 226.75 nodes") {
  const ScenarioSpec s = load_scenario(kScenario);
  REQUIRE(s.published_day);
  CHECK(scheduled_mean_nodes(s.published_day->node_schedule, 12.0, 24.0) == Approx(226.75).epsilon(1e-12));
  CHECK(scheduled_nodes_at(s.published_day->node_schedule, 15.0) == 278);
  CHECK(scheduled_nodes_at(s.published_day->node_schedule, 4.0) == 68);
}

TEST_CASE("the hour-by-hour comparison lines hours up by wall clock and skips partial ones") {
  PublishedDay d;
  d.node_schedule = night_dip();
  d.hours_start_clock_h = 12;
  d.hourly_cost_usd.assign(24, 1000);
  d.hourly_theoretical_income_usd.assign(24, 5000);
  d.hourly_cost_usd[15] = 500;  // the 03:00 bar (12:00 + 15 h)
  Economics e;
  for (int i = 0; i < 3; ++i) {
    HourEconomics h;
    h.clock_h = 2.0 + i;  // 02:00, 03:00, 04:00
    h.nodes_avg = 80;
    h.cost_usd = 600;
    h.theoretical_usd = 5500;
    e.hours.push_back(h);
  }
  const DayAgainstPublished c = compare_with_published(d, e, 2.5);  // the 04:00 hour is partial
  REQUIRE(c.hours.size() == 2);
  CHECK(c.hours[0].published_nodes == Approx(100));
  CHECK(c.hours[1].published_nodes == Approx(70));
  CHECK(c.hours[0].published_cost_usd == 1000);
  CHECK(c.hours[1].published_cost_usd == 500);
  CHECK(c.nodes_mean_abs_error == Approx((20 + 10) / 2.0));
  CHECK(c.nodes_max_abs_error == Approx(20));
  CHECK(c.cost_mean_abs_error_pct == Approx((40 + 20) / 2.0));
  CHECK(c.income_mean_abs_error_pct == Approx(10));

  // A run that starts off the hour grid has nothing to line up.
  for (auto& h : e.hours) h.clock_h += 0.5;
  CHECK(compare_with_published(d, e, 3).hours.empty());
}

TEST_CASE("a scaled run is compared with the published day at the same scale") {
  const ScenarioSpec s = load_scenario(kScenario, {}, 0.1);
  REQUIRE(s.published_day);
  CHECK(scheduled_mean_nodes(s.published_day->node_schedule, 12.0, 24.0) == Approx(22.675));
  CHECK(s.published_day->hourly_cost_usd[0] == Approx(440));
  CHECK(s.published_day->hourly_theoretical_income_usd[0] == Approx(2700));
}
