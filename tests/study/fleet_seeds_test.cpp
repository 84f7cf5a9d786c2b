// A fleet confirmed at several seeds counts with its worst: worst_of's figures, missed SLOs, short
// sides and verdict.
#include <catch2/catch.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/study/fleet_planner.hpp"

using namespace fleetsim;

namespace {

Evaluation run_at(std::uint64_t seed, double ttft_p99_s, double speed_p50, double tpot_p99_ms,
                  double rejected_share, std::vector<std::string> missed) {
  Evaluation e;
  e.stage = "fleet";
  e.c.prefill_units = 20;
  e.c.decode_units = 11;
  e.cost_usd_per_day = 1000;
  e.seeds = {seed};
  e.ttft_p99_s = ttft_p99_s;
  e.output_tok_per_s_p50 = speed_p50;
  e.tpot_p99_ms = tpot_p99_ms;
  e.rejected_share = rejected_share;
  e.missed = std::move(missed);
  e.meets = e.missed.empty();
  return e;
}

}  // namespace

TEST_CASE("a fleet judged at several seeds takes the worst of each figure and every miss") {
  Evaluation a = run_at(1, 4.0, 30, 40, 0.0, {});
  Evaluation b = run_at(2, 6.5, 35, 38, 0.02, {"rejections", "stream speed"});
  b.decode_short = true;
  Evaluation c = run_at(3, 5.0, 18, 45, 0.0, {"TTFT p99", "stream speed"});
  c.prefill_short = true;
  const Evaluation w = worst_of({a, b, c});
  CHECK(w.seeds == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(w.ttft_p99_s == 6.5);
  CHECK(w.output_tok_per_s_p50 == 18);
  CHECK(w.tpot_p99_ms == 45);
  CHECK(w.rejected_share == 0.02);
  CHECK(w.missed == std::vector<std::string>{"rejections", "stream speed", "TTFT p99"});
  CHECK(w.why() == "rejections; stream speed; TTFT p99");
  CHECK_FALSE(w.meets);
  CHECK(w.prefill_short);
  CHECK(w.decode_short);
  CHECK(w.c.decode_units == 11);
  CHECK(w.cost_usd_per_day == 1000);
}

TEST_CASE("a fleet meets only if it meets at every seed; one seed is itself") {
  const Evaluation a = run_at(7, 4.0, 30, 40, 0.0, {});
  const Evaluation b = run_at(8, 4.5, 29, 41, 0.0, {});
  const Evaluation both = worst_of({a, b});
  CHECK(both.meets);
  CHECK(both.missed.empty());
  CHECK(both.why().empty());
  const Evaluation alone = worst_of({a});
  CHECK(alone.seeds == a.seeds);
  CHECK(alone.ttft_p99_s == a.ttft_p99_s);
  CHECK(alone.output_tok_per_s_p50 == a.output_tok_per_s_p50);
  CHECK(alone.meets);
  CHECK_THROWS_AS(worst_of({}), std::invalid_argument);
}
