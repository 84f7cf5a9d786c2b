// ExpertBalance: steps run at the placement in force, capacity is planned at the mean of the
// placements so far.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "sim/hw/cost_model_registry.hpp"
#include "sim/serving/expert_balance.hpp"
#include "sim/serving/serving_system.hpp"

using namespace fleetsim;

namespace {
const std::string kScenario = FLEETSIM_SOURCE_DIR "/scenarios/deepseek-v3-r1-day.json";
}  // namespace

TEST_CASE("capacity is planned at the mean imbalance of the placements so far, steps at the current one") {
  const ScenarioSpec s = load_scenario(kScenario);
  const JsonReader policies(s.policies, s.file, "/policies");
  const auto layers = layer_cost_models().create(policies.at("layer_cost_model"), s.model, s.hardware);
  const auto comm = comm_cost_models().create(policies.at("comm_cost_model"), s.model, s.hardware);
  StepTimer timer(s, s.decode, Phase::kDecode, *layers, *comm);
  ExpertBalance eplb(s, s.decode, timer, "decode.experts");
  CHECK(eplb.planning_imbalance() == 0);  // before any placement: the timer's own mean applies

  std::vector<double> after;
  double sum = 0;
  for (int period = 0; period < 6; ++period) {
    eplb.rebalance(seconds_to_ns(600.0 * period), 64);
    after.push_back(eplb.stats().imbalance_after);
    sum += after.back();
    INFO("period " << period);
    // The timer (steps without a drawn imbalance, the timeline) holds the placement in force...
    CHECK(timer.expert_imbalance() == after.back());
    // ...the plan holds the mean over every placement made.
    CHECK(eplb.planning_imbalance() == Approx(sum / static_cast<double>(after.size())).epsilon(1e-12));
  }
  // The test means something only if the periods differ (the popularity drifts between them).
  CHECK(*std::min_element(after.begin(), after.end()) < *std::max_element(after.begin(), after.end()));
}

TEST_CASE("the serving system's capacity estimates are costed at the planning imbalance") {
  // Two hours of 2% of the load with EPLB every 10 minutes, then the estimates the autoscaler
  // would make now: both kinds' capacity queries carry the mean of the placements, not the
  // imbalance of the one in force.
  const ScenarioSpec s = load_scenario(kScenario, {"duration_s=7200", "sample_interval_s=600"}, 0.02);
  ServingSystem sys(s);
  sys.run();
  const double decode_plan = sys.decode_experts().planning_imbalance();
  const double prefill_plan = sys.prefill_experts().planning_imbalance();
  REQUIRE(sys.decode_experts().stats().updates > 6);
  REQUIRE(decode_plan != sys.decode_timer().expert_imbalance());
  REQUIRE(prefill_plan != sys.prefill_timer().expert_imbalance());
  CHECK(sys.decode_capacity_query(64, 4989).expert_imbalance == decode_plan);
  CHECK(sys.prefill_budget_query(sys.nominal_mix()).expert_imbalance == prefill_plan);
  // And the speed the autoscaler reads is that query's.
  const TimeNs step_ns = sys.decode_timer().step_ns(sys.decode_capacity_query(64, 4989));
  CHECK(sys.decode_stream_tok_per_s(64, 4989) == Approx(sys.decode_tokens_per_step() / ns_to_seconds(step_ns)));
}
