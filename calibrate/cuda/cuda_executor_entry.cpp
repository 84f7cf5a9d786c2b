// Entry point of the cuda executor module libfleetsim_cuda_executor.so (see
// calibrate/step/cuda_executor_module.hpp): checks for a device, then makes the executor.
#include <type_traits>

#include "calibrate/cuda/cuda_kernel_executor.hpp"
#include "calibrate/step/cuda_executor_module.hpp"

extern "C" fleetsim::KernelExecutor* fleetsim_make_cuda_executor(
    const fleetsim::CudaExecutorRequest& request, std::string* no_device) {
  static_assert(std::is_same_v<decltype(&fleetsim_make_cuda_executor), fleetsim::MakeCudaExecutorFn>);
  if (!fleetsim::microbench::cuda_device_present(no_device)) return nullptr;
  return new fleetsim::microbench::CudaKernelExecutor(*request.shapes, request.compute_sms,
                                                      request.warmup, request.repeats);
}
