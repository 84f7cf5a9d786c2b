// Timing one shape of each microbenchmark kernel, as the tables of fleetsim_microbench and the
// cuda executor of `fleetsim validate-step` both do it: fresh random inputs in enough sets to
// rotate past L2, warm-up runs, then the median of CUDA-event-timed repeats replayed as a graph.
#pragma once

#include <vector>

#include "calibrate/cuda/bench_shapes.hpp"
#include "calibrate/cuda/device_util.cuh"
#include "calibrate/cuda/grouped_gemm.cuh"
#include "calibrate/cuda/lt_gemm.cuh"

namespace fleetsim::microbench {

struct GpuContext {
  int sm_count = 0;  // SMs the grid-sized kernels (copy, SwiGLU) spread over
  double l2_bytes = 0.0;
  cublasLtHandle_t lt = nullptr;
  DeviceBuffer workspace;
};

struct TimingRuns {
  int warmup = 0;
  int repeats = 0;  // the median of this many
};

struct ShapeTime {
  double median_us = 0.0;
  int rotation_sets = 0;
};

// Matmuls run back to back in one timed run: `shape.groups` matmuls of one shape each, or one
// strided-batched matmul of `shape.groups` batches when `strided`.
struct GemmPart {
  const LtGemm* gemm = nullptr;
  GemmPrecision precision = GemmPrecision::kBf16;
  GroupedGemmShape shape;
  bool strided = false;
};
ShapeTime time_gemm_parts(GpuContext& ctx, const std::vector<GemmPart>& parts, TimingRuns runs);

// `queries_per_sequence` consecutive batch rows read the same sequence's KV pages (several query
// tokens of one sequence, e.g. multi-token prediction).
ShapeTime time_mla_decode(GpuContext& ctx, const MlaDecodeShape& s, int queries_per_sequence,
                          TimingRuns runs);
ShapeTime time_prefill_attention(GpuContext& ctx, const PrefillAttentionShape& s, TimingRuns runs);

enum class CopyMethod { kKernel, kMemcpyAsync };
ShapeTime time_copy(GpuContext& ctx, std::size_t bytes, CopyMethod method, TimingRuns runs);

// s.op: "rmsnorm", "swiglu" or "fp8_quant_per_token_group".
ShapeTime time_elementwise(GpuContext& ctx, const ElementwiseShape& s, TimingRuns runs);

}  // namespace fleetsim::microbench
