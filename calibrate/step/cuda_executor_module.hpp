// The cuda executor is a loadable module (libfleetsim_cuda_executor.so beside the fleetsim
// program), opened only by `validate-step --execute cuda`: linked in, cuBLASLt would be mapped by
// every fleetsim run (+0.4 s start, +150 MB peak RSS) and a build with CUDA would not start where
// the CUDA libraries are absent. This is its entry point and the loader.
#pragma once

#include <memory>
#include <string>

#include "calibrate/step/kernel_executor.hpp"

namespace fleetsim {

struct CudaExecutorRequest {
  const ModelShapes* shapes = nullptr;
  int compute_sms = 0;  // SMs the step leaves to computation (0 = all)
  int warmup = 0;       // untimed runs per operator
  int repeats = 0;      // timed runs per operator (median)
};

// The module's entry point: a new executor, or null with the reason in *no_device.
using MakeCudaExecutorFn = KernelExecutor* (*)(const CudaExecutorRequest& request,
                                               std::string* no_device);
inline constexpr const char* kMakeCudaExecutorSymbol = "fleetsim_make_cuda_executor";
inline constexpr const char* kCudaExecutorModuleFile = "libfleetsim_cuda_executor.so";

// Opens the module beside the running program and makes the executor; null, with the reason in
// *no_device, when the module cannot be loaded or no CUDA device is present. The module stays
// loaded for the life of the process.
std::unique_ptr<KernelExecutor> load_cuda_executor(const CudaExecutorRequest& request,
                                                   std::string* no_device);

}  // namespace fleetsim
