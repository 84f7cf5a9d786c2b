// Grid parsing and point order.
#include <catch2/catch.hpp>

#include "sim/study/grid.hpp"
#include "sim/study/parallel_runner.hpp"

using namespace fleetsim;

TEST_CASE("grid axes split at top-level commas only") {
  const auto a = parse_grid_axis("policies.prefill_lb=round-robin,attention-balanced");
  CHECK(a.path == "policies.prefill_lb");
  CHECK(a.values == std::vector<std::string>{"round-robin", "attention-balanced"});
  const auto b = parse_grid_axis(
      R"(policies.autoscaler={"name":"fixed","params":{"prefill_units":1,"decode_units":2}},"a,b",[1,2])");
  REQUIRE(b.values.size() == 3);
  CHECK(b.values[0] == R"({"name":"fixed","params":{"prefill_units":1,"decode_units":2}})");
  CHECK(b.values[1] == R"("a,b")");
  CHECK(parse_set_value(b.values[2]) == Json::array({1, 2}));
  CHECK(parse_set_value("round-robin") == Json("round-robin"));
  CHECK_THROWS_AS(parse_grid_axis("=1,2"), ConfigError);
  CHECK_THROWS_AS(parse_grid_axis("a.b=1,,2"), ConfigError);
  CHECK_THROWS_AS(parse_grid_axis("a.b={1,2"), ConfigError);
  // A value JSON parses but a double cannot hold is refused with the axis, not at a later point.
  try {
    parse_grid_axis("seed=1,1e400");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("seed=1,1e400") && Catch::Contains("1e400"));
  }
}

TEST_CASE("two axes on one path are refused: the second would silently override the first") {
  try {
    Grid({parse_grid_axis("seed=1,2"), parse_grid_axis("seed=3")});
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("seed twice"));
  }
  CHECK(Grid({parse_grid_axis("seed=1,2"), parse_grid_axis("scale=3")}).size() == 2);
}

TEST_CASE("grid points are row-major, last axis fastest") {
  const Grid g({parse_grid_axis("a=1,2"), parse_grid_axis("b=x,y,z")});
  REQUIRE(g.size() == 6);
  CHECK(g.values(0) == std::vector<std::string>{"1", "x"});
  CHECK(g.values(2) == std::vector<std::string>{"1", "z"});
  CHECK(g.values(3) == std::vector<std::string>{"2", "x"});
  CHECK(g.overrides(5) == std::vector<std::string>{"a=2", "b=z"});
  CHECK(Grid().size() == 1);
  CHECK_THROWS(g.values(6));
}

TEST_CASE("run_indexed runs every index once and rethrows the lowest failure") {
  for (int jobs : {1, 2, 7}) {
    std::vector<int> hits(50, 0);
    run_indexed(hits.size(), jobs, [&](std::size_t i) { hits[i] += 1; });
    CHECK(std::count(hits.begin(), hits.end(), 1) == 50);
  }
  try {
    run_indexed(10, 3, [](std::size_t i) {
      if (i == 4 || i == 8) throw std::runtime_error("task " + std::to_string(i));
    });
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "task 4");
  }
}
