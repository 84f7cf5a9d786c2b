// One routed microbatch of a MoE layer drawn with the scenario's expert router over the EPLB
// placement the simulator starts from, and the expert-slot token counts of the busiest GPU.
#pragma once

#include <cstdint>

#include "sim/hw/step_shape.hpp"
#include "sim/spec/scenario_spec.hpp"

namespace fleetsim {

struct RoutingDraw {
  ExpertWork busiest;       // tokens per expert slot of the busiest GPU
  int busiest_gpu = 0;
  double mean_gpu_tokens = 0;  // routed token copies per GPU, mean over the unit
  std::int64_t max_gpu_tokens = 0;
};

// `tokens_per_gpu_mb` tokens leave every GPU of `unit`. Deterministic in the scenario's seed.
RoutingDraw draw_routing(const ScenarioSpec& s, const UnitSpec& unit, Phase phase,
                         std::int64_t tokens_per_gpu_mb);

}  // namespace fleetsim
