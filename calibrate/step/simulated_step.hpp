// The step the simulator costs for a scenario's prefill or decode unit, as explain-step and
// validate-step show it: the busiest rank's StepQuery at the operating point, the SM split, the
// routed expert work of the busiest GPU, and the operator lists of one MoE layer and one dense
// layer (one microbatch) and of the step operators (both microbatches, as the StepTimer costs them).
#pragma once

#include <string>
#include <vector>

#include "sim/hw/operators.hpp"
#include "sim/serving/serving_system.hpp"

namespace fleetsim {

// How the busiest GPU's per-expert-slot token counts are obtained.
enum class StepRouting : std::uint8_t {
  kUniform,  // the StepTimer's split: the GPU's share of the routed tokens, times the imbalance,
             // spread evenly over its slots
  kDrawn,    // one microbatch routed by the scenario's expert router over its EPLB placement
};

struct StepOptions {
  Phase phase = Phase::kDecode;
  double batch_per_gpu = 0;  // decode: sequences per GPU (0: the largest meeting the speed SLO)
  double kv_tok = 4989;      // decode: mean KV length (Day-6: average KV length per output token)
  StepRouting routing = StepRouting::kUniform;
};

struct SimulatedStep {
  Phase phase = Phase::kDecode;
  UnitSpec unit;
  StepQuery query;
  SmSplit sms;
  ExpertWork experts;         // the busiest GPU's slots, one microbatch of a MoE layer
  RankBatch step_batch;       // both microbatches: what the step operators are costed on
  double per_gpu_tokens = 0;  // tokens one GPU computes (prefill) or emits (decode) per step
  std::string description;    // one line: phase, unit shape, batch
  std::string routing;        // how `experts` was obtained

  // Operator lists. Grouped GEMMs point into `experts`: use them while this object lives.
  std::vector<Operator> layer_ops(const ModelShapes& shapes, bool moe_layer) const;
  std::vector<Operator> step_ops(const ModelShapes& shapes) const;
};

SimulatedStep simulated_step(const ServingSystem& sys, const StepOptions& o);

}  // namespace fleetsim
