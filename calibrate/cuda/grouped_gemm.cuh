// Grouped GEMMs as the microbenchmark runs them: one cublasLtMatmul per group on one stream (no
// grouped API in this cuBLASLt), with the operands of all groups contiguous.
#pragma once

#include "calibrate/cuda/bench_shapes.hpp"
#include "calibrate/cuda/device_util.cuh"
#include "calibrate/cuda/lt_gemm.cuh"

namespace fleetsim::microbench {

// Operands of all groups, contiguous: act [g][m][k], w [g][n][k], out [g][m][n], and the scales.
struct GroupedOperands {
  DeviceBuffer act, w, out, act_scale, w_scale;
};
GroupedOperands make_grouped_operands(GemmPrecision p, const GroupedGemmShape& s);
void run_grouped(const LtGemm& gemm, GemmPrecision p, const GroupedGemmShape& s,
                 const GroupedOperands& ops, void* workspace, cudaStream_t stream = nullptr);

}  // namespace fleetsim::microbench
