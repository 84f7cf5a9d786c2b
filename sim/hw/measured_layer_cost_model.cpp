// Stage sums of the calibrated operator costs, each scaled by its measured ratio. Sums run in the
// calibrated model's order with the same arithmetic, so ratios of 1 give its times exactly.
#include "sim/hw/measured_layer_cost_model.hpp"

#include <filesystem>

#include "sim/engine/time.hpp"

namespace fleetsim {

namespace {

class ScaledStageSink final : public OperatorSink {
 public:
  ScaledStageSink(const KernelCostModel& k, int sms, const MeasuredLayerCostModel& m, Phase phase)
      : k_(k), sms_(sms), m_(m), phase_(phase) {}
  void on(const Operator& op) override {
    stage_s[static_cast<std::size_t>(op.stage)] += k_.cost(op, sms_).time_s * m_.ratio(phase_, op);
  }
  double at(OpStage s) const { return stage_s[static_cast<std::size_t>(s)]; }
  double stage_s[static_cast<std::size_t>(OpStage::kStep) + 1] = {};

 private:
  const KernelCostModel& k_;
  int sms_;
  const MeasuredLayerCostModel& m_;
  Phase phase_;
};

// Ratio files are named like every other scenario path: relative to the scenario file.
std::string resolve_beside(const std::string& scenario_file, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || scenario_file.empty()) return path;
  return (std::filesystem::path(scenario_file).parent_path() / p).lexically_normal().string();
}

MeasuredRatios load_phase(const Params& params, const std::string& key, Phase phase,
                          const ModelShapes& shapes) {
  MeasuredRatios m;
  m.phase = phase;
  const std::string given = params.string(key);
  if (given.empty()) return m;
  return load_measured_ratios(resolve_beside(params.file(), given), phase,
                              operator_keys(shapes, phase));
}

}  // namespace

MeasuredLayerCostModel::MeasuredLayerCostModel(const ModelSpec& model, const HardwareSpec& hw,
                                               const MeasuredRatios& prefill,
                                               const MeasuredRatios& decode)
    : calibrated_(model, hw) {
  for (auto [src, dst] : {std::pair{&prefill, &prefill_}, std::pair{&decode, &decode_}}) {
    constexpr std::string_view kMtp = "mtp.";
    for (const auto& [key, r] : src->ops) {
      if (key.rfind(kMtp, 0) == 0) {
        dst->mtp_copies[key.substr(kMtp.size())] = r;
      } else {
        dst->plain[key] = r;
      }
    }
  }
}

double MeasuredLayerCostModel::ratio(Phase phase, const Operator& op) const {
  const PhaseRatios& p = of(phase);
  const std::string_view name(op.name);
  // An MTP copy of a layer operator is filed as "mtp.<name>"; the MTP module's own operators
  // ("mtp_*") under their names.
  const auto& table = op.mtp && name.rfind("mtp_", 0) != 0 ? p.mtp_copies : p.plain;
  const auto it = table.find(name);
  return it == table.end() ? 1.0 : it->second;
}

LayerStageTimes MeasuredLayerCostModel::attention_stages(Phase phase, bool moe_layer,
                                                         const RankBatch& batch, SmSplit sms) const {
  ScaledStageSink sink(calibrated_.kernels(), sms.compute_sms, *this, phase);
  enumerate_attention_operators(calibrated_.shapes(), phase, moe_layer, batch, sink);
  LayerStageTimes out;
  out.attn0_ns = seconds_to_ns(sink.at(OpStage::kAttn0));
  out.attn1_ns = seconds_to_ns(sink.at(OpStage::kAttn1));
  out.attn_ns = out.attn0_ns + out.attn1_ns;
  out.shared_ns = seconds_to_ns(sink.at(OpStage::kShared));
  return out;
}

std::int64_t MeasuredLayerCostModel::routed_experts_ns(Phase phase, const ExpertWork& experts,
                                                       SmSplit sms) const {
  ScaledStageSink sink(calibrated_.kernels(), sms.compute_sms, *this, phase);
  enumerate_routed_operators(calibrated_.shapes(), phase, experts, sink);
  return seconds_to_ns(sink.at(OpStage::kMlp));
}

std::int64_t MeasuredLayerCostModel::step_overhead_ns(Phase phase, const RankBatch& batch,
                                                      std::int64_t logit_tokens,
                                                      SmSplit sms) const {
  ScaledStageSink sink(calibrated_.kernels(), sms.compute_sms, *this, phase);
  enumerate_step_operators(calibrated_.shapes(), phase, batch, logit_tokens, sink);
  return seconds_to_ns(sink.at(OpStage::kAttn0) + sink.at(OpStage::kAttn1) +
                       sink.at(OpStage::kShared) + sink.at(OpStage::kMlp) +
                       sink.at(OpStage::kStep));
}

void register_measured_cost_model(LayerCostModelRegistry& layers) {
  auto doc = [](const char* phase) {
    return std::string("ratio file written by `fleetsim validate-step --phase ") + phase +
           " --write-measured FILE`, relative to the scenario file; \"\" = none (calibrated "
           "times for this phase)";
  };
  layers.add({"measured",
              "the calibrated model with each operator's time scaled by its measured/predicted "
              "ratio from `fleetsim validate-step --write-measured` (1 where none was measured)",
              {{"prefill_ratios", "string", "", "", doc("prefill")},
               {"decode_ratios", "string", "", "", doc("decode")}},
              [](const Params& p, const ModelSpec& m, const HardwareSpec& h) {
                if (p.string("prefill_ratios").empty() && p.string("decode_ratios").empty()) {
                  throw ConfigError(p.file(), p.path(),
                                    "prefill_ratios or decode_ratios: a ratio file written by "
                                    "`fleetsim validate-step --write-measured`");
                }
                const ModelShapes shapes(m);
                return std::make_unique<MeasuredLayerCostModel>(
                    m, h, load_phase(p, "prefill_ratios", Phase::kPrefill, shapes),
                    load_phase(p, "decode_ratios", Phase::kDecode, shapes));
              }});
}

}  // namespace fleetsim
