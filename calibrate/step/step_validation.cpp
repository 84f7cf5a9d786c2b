// Running a simulated step's operators and recomposing the step (see step_validation.hpp).
#include "calibrate/step/step_validation.hpp"

#include <map>

#include "sim/serving/overlap_pipeline.hpp"

namespace fleetsim {

const char* to_string(StepSection s) {
  switch (s) {
    case StepSection::kMoeLayer: return "moe_layer";
    case StepSection::kDenseLayer: return "dense_layer";
    case StepSection::kStepOps: return "step_ops";
  }
  return "?";
}

double StageSums::predicted_total_s() const {
  double t = 0;
  for (double x : predicted_s) t += x;
  return t;
}

double StageSums::executed_total_s() const {
  double t = 0;
  for (double x : executed_s) t += x;
  return t;
}

LayerStageTimes StageSums::as_layer(const std::array<double, kStages>& s) {
  auto at = [&](OpStage st) { return s[static_cast<std::size_t>(st)]; };
  LayerStageTimes out;
  out.attn0_ns = seconds_to_ns(at(OpStage::kAttn0));
  out.attn1_ns = seconds_to_ns(at(OpStage::kAttn1));
  out.attn_ns = out.attn0_ns + out.attn1_ns;
  out.shared_ns = seconds_to_ns(at(OpStage::kShared));
  out.mlp_ns = seconds_to_ns(at(OpStage::kMlp));
  return out;
}

double error_pct(double predicted, double executed) {
  constexpr double kPercent = 100;
  return predicted > 0 ? (executed - predicted) / predicted * kPercent : 0.0;
}

namespace {

void run_section(StepSection section, const std::vector<Operator>& ops,
                 const KernelCostModel& predictor, int sms, KernelExecutor& exec, StageSums& sums,
                 std::vector<ValidatedOp>& out) {
  for (const Operator& op : ops) {
    ValidatedOp v;
    v.section = section;
    v.key = operator_key(op);
    v.stage = op.stage;
    v.cls = op.cls;
    v.precision = op.precision;
    v.m = op.m, v.n = op.n, v.k = op.k, v.groups = op.groups;
    v.flops = op.flops, v.bytes = op.bytes;
    v.predicted_s = predictor.cost(op, sms).time_s;
    ExecutedOp e = exec.run(op);
    v.executed_s = e.time_s;
    v.note = std::move(e.note);
    const auto st = static_cast<std::size_t>(op.stage);
    sums.predicted_s[st] += v.predicted_s;
    sums.executed_s[st] += v.executed_s;
    out.push_back(std::move(v));
  }
}

// A layer of the step with its compute stages replaced (both microbatches alike, as the
// StepTimer costs them) and the simulator's communication kept.
TimeNs recomposed_layer(Phase phase, bool overlap, LayerWork w, const LayerStageTimes& stages) {
  w.mb[0] = w.mb[1] = stages;
  return layer_duration(phase, overlap, w);
}

}  // namespace

StepValidation validate_step(const ScenarioSpec& s, const SimulatedStep& step,
                             const StepTimer& timer, const CalibratedLayerCostModel& predictor,
                             KernelExecutor& exec) {
  StepValidation v;
  v.description = step.description;
  v.routing = step.routing;
  v.executor = exec.name();
  v.device = exec.device();
  v.phase = step.phase;
  v.compute_sms = step.sms.compute_sms;
  v.overlap = step.unit.overlap;
  v.dense_layers = s.model.num_dense_layers;
  v.moe_layers = s.model.num_moe_layers();
  const KernelCostModel& k = predictor.kernels();
  const int sms = step.sms.compute_sms;
  run_section(StepSection::kMoeLayer, step.layer_ops(predictor.shapes(), true), k, sms, exec, v.moe, v.ops);
  run_section(StepSection::kDenseLayer, step.layer_ops(predictor.shapes(), false), k, sms, exec, v.dense,
              v.ops);
  run_section(StepSection::kStepOps, step.step_ops(predictor.shapes()), k, sms, exec, v.step_ops, v.ops);

  // Unmemoised: the StepTimer's cache would cost a query snapped to its buckets.
  v.simulator = timer.compute_step(step.query);
  const auto mb = StepValidation::kMicrobatches;
  v.serial_predicted_ns = seconds_to_ns(mb * (v.dense_layers * v.dense.predicted_total_s() +
                                              v.moe_layers * v.moe.predicted_total_s()) +
                                        v.step_ops.predicted_total_s());
  v.serial_executed_ns = seconds_to_ns(mb * (v.dense_layers * v.dense.executed_total_s() +
                                             v.moe_layers * v.moe.executed_total_s()) +
                                       v.step_ops.executed_total_s());
  auto pipelined = [&](const LayerStageTimes& dense, const LayerStageTimes& moe, double step_s) {
    return v.dense_layers * recomposed_layer(v.phase, v.overlap, v.simulator.dense, dense) +
           v.moe_layers * recomposed_layer(v.phase, v.overlap, v.simulator.moe, moe) +
           seconds_to_ns(step_s);
  };
  v.pipelined_predicted_ns =
      pipelined(v.dense.predicted(), v.moe.predicted(), v.step_ops.predicted_total_s());
  v.pipelined_executed_ns =
      pipelined(v.dense.executed(), v.moe.executed(), v.step_ops.executed_total_s());
  return v;
}

MeasuredRatios measured_ratios(const StepValidation& v, const std::string& date) {
  std::map<std::string, std::pair<double, double>> sums;  // key -> (predicted, executed)
  for (const ValidatedOp& op : v.ops) {
    auto& [p, e] = sums[op.key];
    p += op.predicted_s;
    e += op.executed_s;
  }
  MeasuredRatios m;
  m.phase = v.phase;
  m.gpu = v.device;
  m.date = date;
  m.executor = v.executor;
  for (const auto& [key, pe] : sums)
    if (pe.first > 0 && pe.second > 0) m.ops[key] = pe.second / pe.first;
  return m;
}

}  // namespace fleetsim
