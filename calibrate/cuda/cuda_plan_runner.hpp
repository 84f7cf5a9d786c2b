// Times kernel launch plans on the local CUDA GPU with the microbenchmark kernels and method
// (kernel_timing.cuh). Plain C++ header, no CUDA types: the fleetsim program includes it.
#pragma once

#include <memory>
#include <string>

#include "calibrate/cuda/kernel_launch_plan.hpp"

namespace fleetsim::microbench {

// False, with the reason in *why, when no CUDA device can be used (cudaGetDeviceCount fails or
// returns 0).
bool cuda_device_present(std::string* why);

struct PlanTiming {
  double median_us = 0.0;
  std::string note;  // where the run departs from the plan (FP8 scaling, padded rows)
};

class CudaPlanRunner {
 public:
  // Device 0. `compute_sms` (0 = all): SMs left to computation while communication runs; GEMM
  // heuristics and the grid-sized kernels plan for them. `warmup`/`repeats`: runs per timing.
  CudaPlanRunner(int compute_sms, int warmup, int repeats);
  ~CudaPlanRunner();
  CudaPlanRunner(const CudaPlanRunner&) = delete;
  CudaPlanRunner& operator=(const CudaPlanRunner&) = delete;

  std::string device_name() const;
  PlanTiming time(const KernelLaunchPlan& plan);

 private:
  struct State;
  std::unique_ptr<State> st_;
};

}  // namespace fleetsim::microbench
