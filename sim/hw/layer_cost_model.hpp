// Interface: the compute time of one layer's stages on one GPU. Implementations are registered by
// name ("roofline", "calibrated", "measured") and chosen in the scenario
// (policies.layer_cost_model).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim/hw/step_shape.hpp"
#include "sim/spec/hardware_spec.hpp"
#include "sim/spec/model_spec.hpp"

namespace fleetsim {

class LayerCostModel {
 public:
  virtual ~LayerCostModel() = default;
  virtual std::string name() const = 0;

  // Stage times of one dense or MoE layer for one microbatch on one GPU using `sms.compute_sms`.
  virtual LayerStageTimes layer(Phase phase, bool moe_layer, const RankBatch& batch,
                                const ExpertWork& experts, SmSplit sms) const = 0;

  // Once-per-step work outside the layers: embedding, final norm, LM head (and the MTP module
  // when `mtp_layers` > 0) for `tokens` tokens of which `logit_tokens` need logits.
  virtual std::int64_t step_overhead_ns(Phase phase, const RankBatch& batch,
                                        std::int64_t logit_tokens, SmSplit sms) const = 0;
};

}  // namespace fleetsim
