// Sweep partition and merged output: the same bytes whatever the split.
#include <catch2/catch.hpp>

#include "sim/metrics/metric_paths.hpp"
#include "sim/study/sweep.hpp"

using namespace fleetsim;

namespace {
SweepPointResult fake_point(const SweepSpec& spec, std::size_t i) {
  SweepPointResult p;
  p.index = i;
  p.values = spec.grid.values(i);
  p.result = {{"latency", {{"ttft_s", {{"p99", 0.1 * static_cast<double>(i) + 1.0 / 3}}}}},
              {"requests", {{"completed", 100 + i}}}};
  p.sim = {{"wall_s", 0.01 * static_cast<double>(i)}};
  return p;
}
}  // namespace

TEST_CASE("cyclic partition covers every point exactly once") {
  for (int ranks : {1, 2, 3, 5}) {
    std::vector<int> seen(11, 0);
    for (int r = 0; r < ranks; ++r)
      for (auto i : rank_points(11, r, ranks)) seen[i]++;
    CHECK(std::count(seen.begin(), seen.end(), 1) == 11);
  }
  CHECK(rank_points(5, 1, 2) == std::vector<std::size_t>{1, 3});
  CHECK_THROWS(rank_points(5, 2, 2));
}

TEST_CASE("merged CSV and JSON survive a JSON round trip byte for byte") {
  SweepSpec spec;
  spec.scenario = "s.json";
  spec.grid = Grid({parse_grid_axis("a=1,2"), parse_grid_axis("policies.x=\"p,q\",r")});
  std::vector<SweepPointResult> direct, round_trip;
  for (std::size_t i = 0; i < spec.grid.size(); ++i) {
    direct.push_back(fake_point(spec, i));
    round_trip.push_back(point_from_json(Json::parse(point_to_json(direct.back()).dump())));
  }
  const std::string csv = render_sweep_csv(spec, direct);
  CHECK(csv == render_sweep_csv(spec, round_trip));
  CHECK(render_sweep_json(spec, direct).dump() == render_sweep_json(spec, round_trip).dump());
  CHECK(csv.rfind("point,a,policies.x,latency.ttft_s.p99,requests.completed,error\n", 0) == 0);
  CHECK(csv.find("\n1,1,r,") != std::string::npos);
  CHECK(csv.find("\n0,1,\"\"\"p,q\"\"\",") != std::string::npos);
  std::swap(direct[0], direct[1]);
  CHECK_THROWS(render_sweep_csv(spec, direct));
}

TEST_CASE("flattened metrics leave out the machine-dependent sections") {
  const Json s{{"sim", {{"wall_s", 1.5}}}, {"scenario", {{"seed", 1}}},
               {"fleet", {{"peak_nodes", 4}, {"avg_nodes", 3.5}}}};
  const auto m = flatten_metrics(s);
  REQUIRE(m.size() == 2);
  CHECK(m[0].first == "fleet.avg_nodes");
  CHECK(metric_at(s, "fleet.peak_nodes") == 4.0);
  CHECK_FALSE(metric_at(s, "fleet.nope").has_value());
}
