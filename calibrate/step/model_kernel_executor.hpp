// The "model" executor: the calibrated kernel cost model standing in for the GPU, so executed
// equals predicted. The CPU path of validate-step, and what its tests exercise.
#pragma once

#include "calibrate/step/kernel_executor.hpp"
#include "sim/hw/kernel_cost_model.hpp"

namespace fleetsim {

class ModelKernelExecutor final : public KernelExecutor {
 public:
  ModelKernelExecutor(const KernelCostModel& kernels, int sms, std::string hardware_name)
      : kernels_(kernels), sms_(sms), hardware_(std::move(hardware_name)) {}
  std::string name() const override { return "model"; }
  std::string device() const override { return "calibrated cost model of " + hardware_; }
  ExecutedOp run(const Operator& op) override { return {kernels_.cost(op, sms_).time_s, ""}; }

 private:
  const KernelCostModel& kernels_;
  int sms_;
  std::string hardware_;
};

}  // namespace fleetsim
