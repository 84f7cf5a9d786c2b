// The "measured" LayerCostModel: the calibrated model with each operator's time scaled by the
// measured/predicted ratio that `fleetsim validate-step --write-measured` recorded for it on a
// real GPU (per phase; 1 where the file has no ratio), so a simulation runs on measured times.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "sim/hw/kernel_cost_model.hpp"
#include "sim/hw/measured_ratios.hpp"

namespace fleetsim {

class MeasuredLayerCostModel final : public LayerCostModel {
 public:
  MeasuredLayerCostModel(const ModelSpec& model, const HardwareSpec& hw,
                         const MeasuredRatios& prefill, const MeasuredRatios& decode);
  std::string name() const override { return "measured"; }
  LayerStageTimes attention_stages(Phase phase, bool moe_layer, const RankBatch& batch,
                                   SmSplit sms) const override;
  std::int64_t routed_experts_ns(Phase phase, const ExpertWork& experts, SmSplit sms) const override;
  std::int64_t step_overhead_ns(Phase phase, const RankBatch& batch, std::int64_t logit_tokens,
                                SmSplit sms) const override;
  // The ratio applied to `op` in `phase` (1 when none was measured).
  double ratio(Phase phase, const Operator& op) const;

 private:
  // Split by the MTP prefix so the hot path looks names up without building strings.
  struct PhaseRatios {
    std::map<std::string, double, std::less<>> plain, mtp_copies;
  };
  const PhaseRatios& of(Phase p) const { return p == Phase::kPrefill ? prefill_ : decode_; }
  CalibratedLayerCostModel calibrated_;
  PhaseRatios prefill_, decode_;
};

// Adds "measured" to the layer cost-model registry (parameters: the ratio files of each phase).
void register_measured_cost_model(LayerCostModelRegistry& layers);

}  // namespace fleetsim
