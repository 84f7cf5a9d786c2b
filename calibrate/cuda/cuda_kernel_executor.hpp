// The "cuda" executor of `fleetsim validate-step`: runs each operator of the simulated step on
// the local GPU with the microbenchmark kernels its launch plan names, one operator after another
// in the simulated order, and reports the median of the timed runs.
#pragma once

#include "calibrate/cuda/cuda_plan_runner.hpp"
#include "calibrate/step/kernel_executor.hpp"

namespace fleetsim::microbench {

class CudaKernelExecutor final : public KernelExecutor {
 public:
  // Check cuda_device_present first: without a device the runner's first CUDA call throws.
  CudaKernelExecutor(const ModelShapes& shapes, int compute_sms, int warmup, int repeats)
      : shapes_(shapes), runner_(compute_sms, warmup, repeats) {}
  std::string name() const override { return "cuda"; }
  std::string device() const override { return runner_.device_name(); }
  ExecutedOp run(const Operator& op) override;

 private:
  ModelShapes shapes_;
  CudaPlanRunner runner_;
};

}  // namespace fleetsim::microbench
