// Names of the launch kinds (see kernel_launch_plan.hpp).
#include "calibrate/cuda/kernel_launch_plan.hpp"

namespace fleetsim::microbench {

const char* to_string(LaunchKind k) {
  switch (k) {
    case LaunchKind::kGemm: return "gemm";
    case LaunchKind::kStridedBatchedGemm: return "strided_batched_gemm";
    case LaunchKind::kMlaDecode: return "mla_decode";
    case LaunchKind::kPrefillAttention: return "prefill_attention";
    case LaunchKind::kRmsNorm: return "rmsnorm";
    case LaunchKind::kSwiglu: return "swiglu";
    case LaunchKind::kFp8Quant: return "fp8_quant";
    case LaunchKind::kCopy: return "copy";
  }
  return "?";
}

}  // namespace fleetsim::microbench
