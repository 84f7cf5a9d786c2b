// Predicted against executed time of every operator of a simulated step (one MoE layer and one
// dense layer for one microbatch, and the step operators), summed per stage and section, and
// recomposed into the whole step: serially, and through the overlap pipeline with the
// simulator's modelled dispatch and combine (communication is never executed).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "calibrate/step/kernel_executor.hpp"
#include "calibrate/step/simulated_step.hpp"
#include "sim/hw/kernel_cost_model.hpp"
#include "sim/hw/measured_ratios.hpp"

namespace fleetsim {

enum class StepSection : std::uint8_t { kMoeLayer, kDenseLayer, kStepOps };
const char* to_string(StepSection s);

struct ValidatedOp {
  StepSection section = StepSection::kMoeLayer;
  std::string key;  // operator_key(op)
  OpStage stage = OpStage::kAttn0;
  OpClass cls = OpClass::kElementwise;
  OpPrecision precision = OpPrecision::kBf16;
  std::int64_t m = 0, n = 0, k = 0, groups = 0;
  double flops = 0, bytes = 0;
  double predicted_s = 0, executed_s = 0;
  std::string note;
};

// Stage sums of one section in seconds, added in operator order as the layer cost model adds
// them, so a section's nanoseconds round exactly as the simulator's do.
struct StageSums {
  static constexpr std::size_t kStages = static_cast<std::size_t>(OpStage::kStep) + 1;
  std::array<double, kStages> predicted_s{}, executed_s{};
  double predicted_total_s() const;
  double executed_total_s() const;
  LayerStageTimes predicted() const { return as_layer(predicted_s); }
  LayerStageTimes executed() const { return as_layer(executed_s); }
  static LayerStageTimes as_layer(const std::array<double, kStages>& s);
};

struct StepValidation {
  static constexpr int kMicrobatches = 2;  // every layer runs two microbatches a step
  std::string description, routing, executor, device;
  Phase phase = Phase::kDecode;
  int compute_sms = 0;
  bool overlap = true;
  int dense_layers = 0, moe_layers = 0;
  std::vector<ValidatedOp> ops;
  StageSums moe, dense, step_ops;
  // The simulator's StepTimer at this query (its layer cost model, modelled communication).
  StepResult simulator;
  // Whole step, compute alone: layers x microbatches x layer section + step operators.
  TimeNs serial_predicted_ns = 0, serial_executed_ns = 0;
  // Whole step through the overlap pipeline, with the simulator's dispatch and combine times.
  TimeNs pipelined_predicted_ns = 0, pipelined_executed_ns = 0;
};

// Runs every operator of `step` on `exec`, in the simulated order (MoE layer, dense layer, step
// operators), predicting each with `predictor` on the step's compute SMs.
StepValidation validate_step(const ScenarioSpec& s, const SimulatedStep& step,
                             const StepTimer& timer, const CalibratedLayerCostModel& predictor,
                             KernelExecutor& exec);

// (executed - predicted) / predicted in percent; 0 when nothing was predicted.
double error_pct(double predicted, double executed);

// Measured/predicted per operator key: executed over predicted time summed over the operator's
// rows (a layer operator appears in the MoE and the dense layer with the same shape).
MeasuredRatios measured_ratios(const StepValidation& v, const std::string& date);

}  // namespace fleetsim
