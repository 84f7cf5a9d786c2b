// Maps an operator of a simulated step to the microbenchmark kernels that run it on a GPU (the
// cuda executor of validate-step): GEMMs to cuBLASLt, grouped GEMMs to one matmul per expert slot
// with the step's token counts, attention to our attention kernels, memory-bound glue to the
// memory kernels sized by the operator's bytes. Host-only, so it is unit-tested without a GPU.
#pragma once

#include "calibrate/cuda/kernel_launch_plan.hpp"
#include "sim/hw/operators.hpp"

namespace fleetsim::microbench {

KernelLaunchPlan plan_kernel_launch(const Operator& op, const ModelShapes& shapes);

}  // namespace fleetsim::microbench
