// The slo-capacity autoscaler's sizing rules, decision by decision on hand-made observations.
#include <catch2/catch.hpp>

#include "sim/serving/autoscaler.hpp"
#include "sim/util/config_error.hpp"

using namespace fleetsim;

namespace {

std::unique_ptr<Autoscaler> slo_capacity(const ScenarioSpec& s, double headroom) {
  const Json spec = {{"name", "slo-capacity"}, {"params", {{"headroom", headroom}}}};
  return autoscalers().create(JsonReader(spec, "test", "/policies/autoscaler"), s);
}

std::unique_ptr<Autoscaler> slo_capacity_with_window(const ScenarioSpec& s, double window_s) {
  const Json spec = {{"name", "slo-capacity"},
                     {"params", {{"headroom", 0.1}, {"scale_down_window_s", window_s}}}};
  return autoscalers().create(JsonReader(spec, "test", "/policies/autoscaler"), s);
}

// The first decision, on `o`: three prefill and four decode units.
void require_three_and_four(Autoscaler& a, const FleetObservation& o) {
  const FleetTarget first = a.decide(o);
  REQUIRE(first.prefill_units == 3);
  REQUIRE(first.decode_units == 4);
}

// The fleet of three prefill and four decode units held at t = 300 s in a pool of `pool_nodes`.
FleetObservation held_at_300s(FleetObservation o, int pool_nodes) {
  o.pool_nodes = pool_nodes;
  o.prefill_units = 3;
  o.decode_units = 4;
  o.now_ns = seconds_to_ns(300);
  return o;
}

ScenarioSpec spec_with_slo() {
  ScenarioSpec s;
  s.slo.min_output_tok_per_s = 20;
  s.slo.ttft_p99_s = 10;
  return s;
}

// A pool far larger than any target, a prefill demand of 2.5 units and a decode demand of
// `decode_demand_units` units at the SLO capacity; the cap serves `cap_over_slo` times more.
FleetObservation observation(double decode_demand_units, double cap_over_slo) {
  FleetObservation o;
  o.pool_nodes = 10000;
  o.prefill_nodes_per_unit = 4;
  o.decode_nodes_per_unit = 18;
  o.max_prefill_units = o.max_decode_units = 100;
  o.arrivals_per_s = 1000;
  o.mean_output_tok = 1001;  // 1,000 tokens decoded per request: 1M tok/s
  o.computed_tok_per_s = 250000;
  o.prefill_unit_tok_per_s = 100000;
  o.decode_unit_tok_per_s_at_slo = 1e6 / decode_demand_units;
  o.decode_unit_streams_at_slo = 10000;
  o.decode_unit_tok_per_s_at_cap = o.decode_unit_tok_per_s_at_slo * cap_over_slo;
  o.decode_unit_streams_at_cap = o.decode_unit_streams_at_slo * cap_over_slo;
  return o;
}

}  // namespace

TEST_CASE("prefill keeps the headroom above its demand") {
  const ScenarioSpec s = spec_with_slo();
  auto a = slo_capacity(s, 0.1);
  // 2.5 units of demand x 1.1 = 2.75: three units.
  CHECK(a->decide(observation(3.5, 1.5)).prefill_units == 3);
  const FleetObservation o = observation(3.5, 1.5);
  FleetObservation tight = o;
  tight.computed_tok_per_s = 280000;  // 2.8 x 1.1 = 3.08: four units
  CHECK(a->decide(tight).prefill_units == 4);
}

TEST_CASE("decode serves the demand at the SLO and keeps the headroom against its batch cap") {
  const ScenarioSpec s = spec_with_slo();
  auto a = slo_capacity(s, 0.1);
  // The cap serves 30% more than the SLO batch: 3.7 units at the SLO are enough (3.7 x 1.1 / 1.3
  // = 3.13 at the cap), so four units, not the five a margin above the SLO capacity would take.
  CHECK(a->decide(observation(3.7, 1.3)).decode_units == 4);
  // A cap barely above the SLO batch leaves no slack there: the headroom binds at the cap
  // (3.7 x 1.1 / 1.02 = 3.99 -> 4; 3.8 x 1.1 / 1.02 = 4.10 -> 5).
  CHECK(a->decide(observation(3.7, 1.02)).decode_units == 4);
  CHECK(a->decide(observation(3.8, 1.02)).decode_units == 5);
  // Without a cap figure, the headroom goes above the SLO capacity (3.7 x 1.1 = 4.07 -> 5).
  FleetObservation no_cap = observation(3.7, 1.3);
  no_cap.decode_unit_tok_per_s_at_cap = no_cap.decode_unit_streams_at_cap = 0;
  CHECK(a->decide(no_cap).decode_units == 5);
}

TEST_CASE("decode's headroom against the cap is its own parameter") {
  const ScenarioSpec s = spec_with_slo();
  auto with_margin = [&](double decode_headroom) {
    const Json spec = {{"name", "slo-capacity"}, {"params", {{"headroom", 0.1}, {"decode_headroom", decode_headroom}}}};
    return autoscalers().create(JsonReader(spec, "test", "/policies/autoscaler"), s);
  };
  // A cap 2% above the SLO batch: 3.7 x 1.02 / 1.02 = 3.7 -> 4 with no margin at the cap, where
  // 3.7 x 1.3 / 1.02 = 4.72 -> 5 with a 30% one. Prefill keeps its own 10% (2.75 -> 3).
  const FleetTarget none = with_margin(0.0)->decide(observation(3.7, 1.02));
  const FleetTarget wide = with_margin(0.3)->decide(observation(3.7, 1.02));
  CHECK(none.decode_units == 4);
  CHECK(wide.decode_units == 5);
  CHECK(none.prefill_units == 3);
  CHECK(wide.prefill_units == 3);
  // With no margin at the cap, the SLO still binds: 4.2 units of demand need 5.
  CHECK(with_margin(0.0)->decide(observation(4.2, 1.3)).decode_units == 5);
  // Out of range is refused, naming the parameter.
  CHECK_THROWS_WITH(with_margin(1.5), Catch::Contains("decode_headroom"));
}

TEST_CASE("a decode SLO miss beyond the headroom adds a unit") {
  const ScenarioSpec s = spec_with_slo();
  auto a = slo_capacity(s, 0.1);
  FleetObservation o = observation(3.7, 1.3);
  o.decode_units = 4;
  o.stream_tok_per_s_p50 = 17;  // below 20 x 0.9
  CHECK(a->decide(o).decode_units == 5);
  // Demand for three units, but a miss within the headroom: hold the four, do not shrink.
  FleetObservation less = observation(2.5, 1.3);
  less.decode_units = 4;
  less.stream_tok_per_s_p50 = 19;
  CHECK(a->decide(less).decode_units == 4);
  less.stream_tok_per_s_p50 = 25;  // met: shrink to what the demand needs
  CHECK(a->decide(less).decode_units == 3);
}

TEST_CASE("a rising load is planned where it will be once new units are warm") {
  const ScenarioSpec s = spec_with_slo();
  auto a = slo_capacity(s, 0.1);  // 300 s decisions, 600 s warm-up: 1,050 s from mid-interval
  FleetObservation o = observation(3.7, 1.3);
  o.now_ns = seconds_to_ns(300);
  CHECK(a->decide(o).decode_units == 4);
  // +20% over the interval, carried 1,050 s forward: x (1 + 200/300 x 1050/1200) = x 1.583.
  FleetObservation up = o;
  up.now_ns = seconds_to_ns(600);
  up.arrivals_per_s *= 1.2;
  up.computed_tok_per_s *= 1.2;
  const FleetTarget t = a->decide(up);
  CHECK(t.decode_units == 8);   // 3.7 x 1.2 x 1.583 = 7.03 at the SLO (5 without the look ahead)
  CHECK(t.prefill_units == 6);  // 2.5 x 1.2 x 1.583 x 1.1 = 5.22 (4 without)
  // A rise within the noise of two Poisson rates (here 1000/s over 300 s: 2 se = 5.2/s) does
  // not count.
  auto b = slo_capacity(s, 0.1);
  CHECK(b->decide(o).decode_units == 4);
  FleetObservation noise = o;
  noise.now_ns = seconds_to_ns(600);
  noise.arrivals_per_s += 5;
  CHECK(b->decide(noise).decode_units == 4);
}

TEST_CASE("a scale-down window holds each kind at its largest target over the window; growth is at once") {
  const ScenarioSpec s = spec_with_slo();
  auto a = slo_capacity_with_window(s, 600);
  auto at = [](double t_s, double decode_demand_units) {
    FleetObservation o = observation(decode_demand_units, 1.3);
    o.now_ns = seconds_to_ns(t_s);
    return o;
  };
  CHECK(a->decide(at(0, 3.7)).decode_units == 4);
  // Demand for three units from t = 300 s: held at four while the t = 0 decision is in the window.
  CHECK(a->decide(at(300, 2.5)).decode_units == 4);
  CHECK(a->decide(at(600, 2.5)).decode_units == 4);
  CHECK(a->decide(at(900, 2.5)).decode_units == 3);
  // Growth is not delayed.
  CHECK(a->decide(at(1200, 4.5)).decode_units == 5);
  // Without a window (the default) the same fall is followed at once.
  auto b = slo_capacity(s, 0.1);
  CHECK(b->decide(at(0, 3.7)).decode_units == 4);
  CHECK(b->decide(at(300, 2.5)).decode_units == 3);
}

TEST_CASE("a negative scale-down window or warm-up is a scenario error") {
  const ScenarioSpec s = spec_with_slo();
  for (const char* key : {"scale_down_window_s", "warmup_s"}) {
    INFO(key);
    const Json spec = {{"name", "slo-capacity"}, {"params", {{key, -1}}}};
    CHECK_THROWS_AS(autoscalers().create(JsonReader(spec, "test", "/policies/autoscaler"), s), ConfigError);
  }
}

TEST_CASE("a decision interval that would repeat over a million times in the run is a scenario error") {
  ScenarioSpec s = spec_with_slo();
  s.duration_ns = kNsPerDay;
  const Json steps = Json::array({{{"clock_h", 0}, {"prefill_units", 1}, {"decode_units", 1}}});
  for (const char* name : {"slo-capacity", "schedule"}) {
    INFO(name);
    auto make = [&](double interval_s) {
      Json params = {{"interval_s", interval_s}};
      if (std::string(name) == "schedule") params["steps"] = steps;
      const Json spec = {{"name", name}, {"params", params}};
      return autoscalers().create(JsonReader(spec, "test", "/policies/autoscaler"), s);
    };
    CHECK_THROWS_WITH(make(0.05), Catch::Contains("/policies/autoscaler/params/interval_s") &&
                                      Catch::Contains("a period of at least 0.0864 s"));
    CHECK(make(0.1)->interval_ns() == seconds_to_ns(0.1));
  }
}

TEST_CASE("a schedule with two steps at one hour is a scenario error") {
  const ScenarioSpec s = spec_with_slo();
  const Json steps = Json::array({{{"clock_h", 6}, {"prefill_units", 2}, {"decode_units", 1}},
                                  {{"clock_h", 0}, {"prefill_units", 1}, {"decode_units", 1}},
                                  {{"clock_h", 6}, {"prefill_units", 3}, {"decode_units", 1}}});
  const Json spec = {{"name", "schedule"}, {"params", {{"interval_s", 60}, {"steps", steps}}}};
  CHECK_THROWS_WITH(autoscalers().create(JsonReader(spec, "test", "/policies/autoscaler"), s),
                    Catch::Contains("/policies/autoscaler/params/steps/2/clock_h") &&
                        Catch::Contains("an hour no other step has (step 0 has it)"));
}

TEST_CASE("at the pool's limit the window yields to the other kind's need") {
  const ScenarioSpec s = spec_with_slo();
  auto a = slo_capacity_with_window(s, 600);
  // Three prefill units (12 nodes) and four decode units (72 nodes) in a 94-node pool.
  FleetObservation o = observation(3.7, 1.3);
  o.pool_nodes = 94;
  require_three_and_four(*a, o);
  // Prefill demand falls to one unit while decode needs a fifth (90 + 4 = 94 nodes): holding
  // three prefill units would leave no room for it, so the decision stands as if there were no
  // window.
  FleetObservation next = held_at_300s(observation(4.5, 1.3), 94);
  next.computed_tok_per_s = 50000;
  const FleetTarget t = a->decide(next);
  CHECK(t.decode_units == 5);
  CHECK(t.prefill_units == 1);
}

TEST_CASE("at the pool's limit the window keeps a held unit the other kind's arrivals do not need") {
  const ScenarioSpec s = spec_with_slo();
  auto a = slo_capacity_with_window(s, 600);
  // Three prefill units (12 nodes) and four decode units (72 nodes) in an 86-node pool.
  FleetObservation o = observation(3.7, 1.3);
  o.pool_nodes = 86;
  require_three_and_four(*a, o);
  // A better expert placement makes three decode units enough, and prefill's queue and headroom
  // ask for a fourth unit although its arrivals need 2.7 units: the held decode unit stays and
  // prefill keeps its three (without the window, the unit would be traded).
  FleetObservation next = held_at_300s(observation(2.9, 1.3), 86);
  next.computed_tok_per_s = 270000;
  next.prefill_backlog_tok = 1e6;
  const FleetTarget t = a->decide(next);
  CHECK(t.prefill_units == 3);
  CHECK(t.decode_units == 4);
  auto b = slo_capacity(s, 0.1);
  b->decide(o);
  const FleetTarget traded = b->decide(next);
  CHECK(traded.prefill_units == 4);
  CHECK(traded.decode_units == 3);
  // When prefill's arrivals need the fourth unit, decode's hold yields.
  next.computed_tok_per_s = 310000;
  next.now_ns = seconds_to_ns(600);
  const FleetTarget grown = a->decide(next);
  CHECK(grown.prefill_units == 4);
  CHECK(grown.decode_units == 3);
}

TEST_CASE("at the pool's limit a held prefill unit yields to decode's need with its headroom") {
  const ScenarioSpec s = spec_with_slo();
  auto a = slo_capacity_with_window(s, 600);
  // The cap serves 2% more than the SLO batch (as on the calibrated model), so decode's need is
  // its demand with the 10% headroom below the cap: 3.5 units at the SLO need 3.77.
  FleetObservation o = observation(3.5, 1.02);
  o.pool_nodes = 98;
  require_three_and_four(*a, o);
  // Prefill's demand falls to 1.65 units and decode's rises to 3.8 at the SLO, 4.1 with its
  // headroom: keeping prefill's third unit would leave decode 4 units (the SLO alone would
  // accept them), so the decision stands.
  FleetObservation next = held_at_300s(observation(3.8, 1.02), 98);
  next.computed_tok_per_s = 150000;
  const FleetTarget t = a->decide(next);
  CHECK(t.prefill_units == 2);
  CHECK(t.decode_units == 5);
}

TEST_CASE("a short pool moves a unit to its bottleneck when the kind giving units stays served") {
  const ScenarioSpec s = spec_with_slo();
  // A 12% headroom, so that the held split's 10 decode units against the best split's 11 (a
  // share 10% higher) are clearly within it.
  auto split_from_held = [&](double prefill_demand_units) {
    FleetObservation o = observation(12.0, 1.5);  // decode needs 12 units
    o.pool_nodes = 296;
    o.computed_tok_per_s = prefill_demand_units * o.prefill_unit_tok_per_s;
    o.prefill_units = 26;  // 104 nodes
    o.decode_units = 10;   // 180 nodes
    return slo_capacity(s, 0.12)->decide(o);
  };
  // Prefill's arrivals need 20 units, 22.4 with the headroom, and decode 12 with its margin (23 +
  // 12 units do not fit in 296 nodes). The held split serves 10/12 = 83% of decode's need; the
  // best, 20 prefill and 12 decode units, serves all of both needs (prefill's at its token
  // budget: its headroom only shortens a queue), and prefill, which gives the units, keeps what
  // its arrivals need.
  const FleetTarget moved = split_from_held(20);
  CHECK(moved.prefill_units == 20);
  CHECK(moved.decode_units == 12);
  // When prefill's arrivals need 24.5 units, the best split, 24 and 11, serves 91.7% of decode's
  // need (24/24.5 of prefill's) against the held 83%: within the headroom, and prefill would fall
  // short of its arrivals, so the held decode units stay and the leftover nodes go to prefill.
  const FleetTarget kept = split_from_held(24.5);
  CHECK(kept.decode_units == 10);
  CHECK(kept.prefill_units == 29);
}

TEST_CASE("a short pool prefers a split under which no arrivals wait to a higher share") {
  // The default day with decode_headroom 0 at 15:25 (its fleet_decisions.csv): prefill's
  // arrivals need 23.3 units (25.6 with the headroom), decode's 9.4 at the SLO and 9.3 at the
  // cap, in 278 nodes, holding 29 prefill and 9 decode units.
  const ScenarioSpec s = spec_with_slo();
  const Json spec = {{"name", "slo-capacity"}, {"params", {{"headroom", 0.1}, {"decode_headroom", 0.0}}}};
  auto a = autoscalers().create(JsonReader(spec, "test", "/policies/autoscaler"), s);
  FleetObservation o = observation(9.43, 9.43 / 9.28);
  o.pool_nodes = 278;
  o.computed_tok_per_s = 23.3 * o.prefill_unit_tok_per_s;
  o.prefill_units = 29;
  o.decode_units = 9;
  // The highest smaller share is 25 prefill units (25/25.6) and 9 decode (9/9.4), the leftover
  // nodes going to prefill: back to 29 and 9, with streams waiting for decode. Under 24 and 10
  // nobody waits (24 >= 23.3, 10 >= 9.3).
  const FleetTarget t = a->decide(o);
  CHECK(t.prefill_units == 24);
  CHECK(t.decode_units == 10);
  // When arrivals wait under every split (prefill's need 25 units: 25 and 10 units do not fit),
  // the highest smaller share decides, and the held split stays within the headroom of it.
  o.computed_tok_per_s = 25.0 * o.prefill_unit_tok_per_s;
  const FleetTarget short_both = a->decide(o);
  CHECK(short_both.prefill_units == 29);
  CHECK(short_both.decode_units == 9);
}
