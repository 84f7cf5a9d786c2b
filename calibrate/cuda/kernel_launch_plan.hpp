// How one operator of a simulated step runs on the microbenchmark kernels: which kernel, which
// GEMM shapes and groups, which sizes. Plain data (no simulator or CUDA headers), so the CUDA side
// that times it and the host side that builds it (operator_launch_plan) both include it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "calibrate/cuda/bench_shapes.hpp"

namespace fleetsim::microbench {

enum class LaunchKind : std::uint8_t {
  kGemm,                // cuBLASLt matmuls: each `gemms` entry runs `groups` matmuls of m x n x k
  kStridedBatchedGemm,  // one strided-batched BF16 matmul: gemms[0].groups batches of m x n x k
  kMlaDecode,           // launch_mla_decode on `mla`
  kPrefillAttention,    // launch_prefill_attention on `prefill`
  kRmsNorm,             // launch_rmsnorm on `elementwise` (rows x width)
  kSwiglu,              // launch_swiglu on `elementwise`
  kFp8Quant,            // launch_fp8_quant on `elementwise`
  kCopy,                // launch_copy of `copy_bytes`
};
const char* to_string(LaunchKind k);

enum class LaunchPrecision : std::uint8_t { kFp8, kBf16 };

struct KernelLaunchPlan {
  LaunchKind kind = LaunchKind::kCopy;
  LaunchPrecision precision = LaunchPrecision::kBf16;
  std::vector<GroupedGemmShape> gemms;   // GEMM kinds, run in this order
  std::vector<std::int64_t> group_rows;  // grouped GEMMs: the step's tokens per expert slot
  MlaDecodeShape mla;                    // page_tokens is the kernel's (left 0 here)
  std::int64_t mla_queries_per_sequence = 1;  // query tokens reading one sequence's KV pages
  PrefillAttentionShape prefill;
  ElementwiseShape elementwise;
  std::int64_t copy_bytes = 0;
  std::string note;  // how the mapping departs from the operator, when it does
};

}  // namespace fleetsim::microbench
