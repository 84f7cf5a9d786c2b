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

  // Stage times of one dense or MoE layer for one microbatch on one GPU using `sms.compute_sms`
  // (all zero for an empty batch).
  LayerStageTimes layer(Phase phase, bool moe_layer, const RankBatch& batch,
                        const ExpertWork& experts, SmSplit sms) const {
    if (batch.tokens <= 0) return {};
    LayerStageTimes t = attention_stages(phase, moe_layer, batch, sms);
    if (moe_layer) t.mlp_ns = routed_experts_ns(phase, experts, sms);
    return t;
  }

  // The layer in its two independent parts, so that a caller can reuse one while the other
  // changes (a decode step's batch and its expert imbalance vary apart):
  // ATTN-0, ATTN-1 (attn_ns their sum) and SHARED, which depend on the rank's batch alone
  // (mlp_ns 0), for a non-empty batch;
  virtual LayerStageTimes attention_stages(Phase phase, bool moe_layer, const RankBatch& batch,
                                           SmSplit sms) const = 0;
  // and the MLP stage of an MoE layer (its routed experts), which depends on the routed work alone.
  virtual std::int64_t routed_experts_ns(Phase phase, const ExpertWork& experts, SmSplit sms) const = 0;

  // Once-per-step work outside the layers: embedding, final norm, LM head (and the MTP module
  // when `mtp_layers` > 0) for `tokens` tokens of which `logit_tokens` need logits.
  virtual std::int64_t step_overhead_ns(Phase phase, const RankBatch& batch,
                                        std::int64_t logit_tokens, SmSplit sms) const = 0;
};

}  // namespace fleetsim
