// Routing draw for validate-step. The placement is made the way the simulator makes its first
// one (ExpertBalance::rebalance at t = 0): the router starts with a load history on the uniform
// placement, its popularity moves to t = 0, sample microbatches fill the load average further,
// EPLB places on that load, then the microbatch shown is routed.
#include "calibrate/step/routing_draw.hpp"

#include <algorithm>
#include <numeric>

#include "sim/policies/expert_placement.hpp"
#include "sim/policies/expert_router.hpp"
#include "sim/serving/expert_balance.hpp"

namespace fleetsim {

RoutingDraw draw_routing(const ScenarioSpec& s, const UnitSpec& unit, Phase phase,
                         std::int64_t tokens_per_gpu_mb) {
  const JsonReader pol(s.policies, s.file, "/policies");
  const std::string stream = std::string("validate-step.") + to_string(phase) + ".experts";
  auto router = expert_routers().create(pol.at("expert_routing"), s.model.moe, Rng(s.seed, stream));
  auto placer = expert_placers().create(pol.at("eplb"));
  const PlacementShape shape = unit_placement_shape(s.model, unit);
  const std::vector<double> uniform(static_cast<std::size_t>(shape.num_logical_experts), 1.0);
  ExpertPlacement placement = placer->place(uniform, shape);

  const std::vector<std::int64_t> tokens(static_cast<std::size_t>(unit.gpus_per_unit),
                                         std::max<std::int64_t>(1, tokens_per_gpu_mb));
  router->start_with_history(placement, s.hardware.gpus_per_node, tokens, ExpertBalance::kStepSamples);
  router->advance_to(0);
  RoutingResult routed;
  for (int i = 0; i < ExpertBalance::kSamples; ++i)
    router->route(0, placement, s.hardware.gpus_per_node, tokens, routed);
  placement = placer->place(router->load_ema(0), shape);
  router->route(0, placement, s.hardware.gpus_per_node, tokens, routed);

  RoutingDraw d;
  const auto& g = routed.gpu_tokens;
  const auto busiest = std::max_element(g.begin(), g.end());  // the first on ties
  d.busiest_gpu = static_cast<int>(busiest - g.begin());
  d.max_gpu_tokens = *busiest;
  d.mean_gpu_tokens = static_cast<double>(std::accumulate(g.begin(), g.end(), std::int64_t{0})) /
                      static_cast<double>(g.size());
  const auto first = static_cast<std::size_t>(d.busiest_gpu) * static_cast<std::size_t>(placement.slots_per_gpu);
  d.busiest.tokens_per_slot.assign(routed.slot_tokens.begin() + static_cast<std::ptrdiff_t>(first),
                                   routed.slot_tokens.begin() +
                                       static_cast<std::ptrdiff_t>(first + static_cast<std::size_t>(placement.slots_per_gpu)));
  return d;
}

}  // namespace fleetsim
