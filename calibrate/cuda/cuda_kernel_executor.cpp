// Operator -> launch plan -> GPU timing (see cuda_kernel_executor.hpp).
#include "calibrate/cuda/cuda_kernel_executor.hpp"

#include "calibrate/cuda/operator_launch_plan.hpp"

namespace fleetsim::microbench {

ExecutedOp CudaKernelExecutor::run(const Operator& op) {
  constexpr double kSecondsPerUs = 1e-6;
  const KernelLaunchPlan plan = plan_kernel_launch(op, shapes_);
  const PlanTiming t = runner_.time(plan);
  std::string note = to_string(plan.kind);
  for (const std::string* part : {&plan.note, &t.note})
    if (!part->empty()) note += "; " + *part;
  return {t.median_us * kSecondsPerUs, note};
}

}  // namespace fleetsim::microbench
