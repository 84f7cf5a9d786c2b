// The planner's growth of fleets that miss when confirmed: which side grows, how far, and that no
// fleet is judged twice.
#include <catch2/catch.hpp>
#include <utility>
#include <vector>

#include "sim/study/fleet_planner.hpp"

using namespace fleetsim;

namespace {

Candidate fleet(int prefill_units, int decode_units) {
  Candidate c;
  c.prefill.side = "prefill";
  c.decode.side = "decode";
  c.prefill_units = prefill_units;
  c.decode_units = decode_units;
  return c;
}

// Meets when it has at least `p` prefill and `d` decode units; short on each side below that.
struct ThresholdJudge {
  int p, d;
  std::vector<std::vector<std::pair<int, int>>> calls;  // the fleets of each call, in order

  Evaluation judge_one(const Candidate& c) const {
    Evaluation e;
    e.stage = "fleet";
    e.c = c;
    e.prefill_short = c.prefill_units < p;
    e.decode_short = c.decode_units < d;
    e.meets = !e.prefill_short && !e.decode_short;
    return e;
  }
  std::vector<Evaluation> operator()(const std::vector<Candidate>& cs) {
    std::vector<Evaluation> out;
    calls.emplace_back();
    for (const auto& c : cs) {
      calls.back().emplace_back(c.prefill_units, c.decode_units);
      out.push_back(judge_one(c));
    }
    return out;
  }
};

std::vector<std::pair<int, int>> units(const std::vector<Evaluation>& es) {
  std::vector<std::pair<int, int>> out;
  for (const auto& e : es) out.emplace_back(e.c.prefill_units, e.c.decode_units);
  return out;
}

}  // namespace

TEST_CASE("a missed fleet grows on the side it is short of until it meets") {
  ThresholdJudge t{3, 5, {}};
  const std::vector<Evaluation> first{t.judge_one(fleet(1, 5)), t.judge_one(fleet(3, 2)), t.judge_one(fleet(3, 5))};
  std::size_t grown = 0;
  const auto all = grow_missed_fleets(first, 12, [&](const auto& cs) { return t(cs); }, grown);
  // Round 1 grows (1,5) on prefill and (3,2) on decode; round 2 takes (2,5) to (3,5), judged
  // already, and (3,3) to (3,4); round 3 takes (3,4) to (3,5) again.
  using U = std::vector<std::pair<int, int>>;
  CHECK(t.calls == std::vector<U>{{{2, 5}, {3, 3}}, {{3, 4}}});
  CHECK(units(all) == U{{1, 5}, {3, 2}, {3, 5}, {2, 5}, {3, 3}, {3, 4}});
  CHECK(grown == 3);
}

TEST_CASE("both sides grow at once, and no further than the rounds allowed") {
  ThresholdJudge t{4, 4, {}};
  std::size_t grown = 0;
  const auto all = grow_missed_fleets({t.judge_one(fleet(0, 1))}, 2, [&](const auto& cs) { return t(cs); }, grown);
  using U = std::vector<std::pair<int, int>>;
  CHECK(units(all) == U{{0, 1}, {1, 2}, {2, 3}});
  CHECK(grown == 2);
  CHECK_FALSE(all.back().meets);
}

TEST_CASE("a miss that points at neither side, and a fleet that meets, do not grow") {
  ThresholdJudge t{1, 1, {}};
  Evaluation stuck = t.judge_one(fleet(2, 2));
  stuck.meets = false;  // e.g. requests too large for any GPU's KV: more units would not help
  std::size_t grown = 0;
  const auto all = grow_missed_fleets({stuck, t.judge_one(fleet(1, 1))}, 12, [&](const auto& cs) { return t(cs); }, grown);
  CHECK(all.size() == 2);
  CHECK(t.calls.empty());
  CHECK(grown == 0);
}
