// Regression verdicts: tolerance arithmetic, one-sided directions, suite loading errors.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "sim/study/regression_suite.hpp"

using namespace fleetsim;

TEST_CASE("judge applies the larger of the relative and absolute allowances") {
  MetricCheck c{"latency.ttft_s.p99", 0.02, 0.0, Direction::kBoth};
  CHECK(judge(c, 10.0, 10.19) == Verdict::kPass);   // +1.9% within 2%
  CHECK(judge(c, 10.0, 10.21) == Verdict::kChanged);
  CHECK(judge(c, 10.0, 9.79) == Verdict::kChanged);
  c.absolute = 0.5;  // 0.5 > 2% of 10
  CHECK(judge(c, 10.0, 10.4) == Verdict::kPass);
  CHECK(judge(c, 0.0, 0.4) == Verdict::kPass);  // a zero golden still has the absolute allowance
  CHECK(judge(c, std::nullopt, 1.0) == Verdict::kMissingGolden);
  CHECK(judge(c, 1.0, std::nullopt) == Verdict::kMissingMetric);
}

TEST_CASE("one-sided checks fail only in the worse direction") {
  const MetricCheck lat{"m", 0.02, 0, Direction::kHigherIsWorse};
  CHECK(judge(lat, 10.0, 11.0) == Verdict::kRegressed);
  CHECK(judge(lat, 10.0, 9.0) == Verdict::kImproved);
  const MetricCheck thr{"m", 0.01, 0, Direction::kLowerIsWorse};
  CHECK(judge(thr, 100.0, 98.0) == Verdict::kRegressed);
  CHECK(judge(thr, 100.0, 103.0) == Verdict::kImproved);
  CHECK(verdict_fails(Verdict::kRegressed));
  CHECK_FALSE(verdict_fails(Verdict::kImproved));
}

TEST_CASE("the committed suite loads, every entry with checks and a golden for each") {
  const auto s = load_regression_suite(FLEETSIM_SOURCE_DIR "/scenarios/regression");
  REQUIRE(s.entries.size() >= 8);
  for (const auto& e : s.entries) {
    CHECK(std::filesystem::exists(e.scenario));
    REQUIRE_FALSE(e.checks.empty());
    for (const auto& c : e.checks) {
      INFO(e.name << " " << c.metric);
      CHECK(s.goldens.count(e.name) == 1);
      if (s.goldens.count(e.name)) CHECK(s.goldens.at(e.name).count(c.metric) == 1);
    }
  }
}

TEST_CASE("a check without a tolerance is a ConfigError naming its path") {
  const auto dir = std::filesystem::temp_directory_path() / "fleetsim_study_bad_suite";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "suite.json") << R"({"scenario": "x.json", "scale": 1,
    "checks": [{"metric": "latency.ttft_s.p99"}], "entries": [{"name": "a"}]})";
  try {
    load_regression_suite(dir.string());
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.json_path() == "/checks/0");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("outcome table has the documented columns") {
  RegressionSuite s;
  RegressionEntry e{"baseline", "", "", 1.0, {}, {{"latency.ttft_s.p99", 0.02, 0, Direction::kHigherIsWorse}}};
  s.entries.push_back(e);
  s.goldens["baseline"]["latency.ttft_s.p99"] = 10.0;
  const Json summary{{"latency", {{"ttft_s", {{"p99", 11.0}}}}}};
  const auto out = evaluate_entry(s, e, summary);
  REQUIRE(out.size() == 1);
  CHECK(out[0].verdict == Verdict::kRegressed);
  const std::string t = render_outcomes(out, true);
  CHECK(t.find("| scenario | metric") != std::string::npos);
  CHECK(t.find("REGRESSED") != std::string::npos);
  CHECK(t.find("+10.0%") != std::string::npos);
}
