// One configured cuBLASLt matmul in fleetsim's GEMM convention: out[m x n] (BF16) =
// act[m x k] * w[n x k]^T, with FP8 e4m3 inputs (block-scaled or per-tensor) or BF16 inputs.
// The output is row-major [m][n], except for block-scaled FP8 (see output_transposed()).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "calibrate/cuda/bench_shapes.hpp"
#include "calibrate/cuda/device_util.cuh"

namespace fleetsim::microbench {

enum class GemmPrecision {
  kFp8BlockScaled,  // DeepGEMM scaling: activations 1x128 (VEC128_32F), weights 128x128
  kFp8PerTensor,    // one FP32 scale per operand (SCALAR_32F)
  kBf16,
};
const char* precision_name(GemmPrecision p);
double input_bytes_per_elem(GemmPrecision p);

// The cuBLASLt block-scaled layouts used here (CUDA 12.9+): activation scales [k/128][m]
// (m fastest), weight scales [n/128][k/128] (k-blocks fastest).
std::size_t activation_scale_count(GemmPrecision p, const GemmShape& s);
std::size_t weight_scale_count(GemmPrecision p, const GemmShape& s);
// Floats between consecutive groups' scales: the count rounded up to 16 bytes, since cuBLASLt
// refuses (at run time) scale pointers that are less aligned.
std::size_t scale_group_stride(std::size_t count);

constexpr std::size_t kGemmWorkspaceBytes = 64ull << 20;

class LtGemm {
 public:
  // nullopt (and *why) when cuBLASLt offers no algorithm for this precision and shape.
  // `batch_count` > 1 (BF16 only): one strided-batched matmul over operands laid out as
  // make_grouped_operands lays out groups. `sm_count_target` > 0: the heuristic plans for that
  // many SMs (the rest busy with communication kernels); 0 = the whole device.
  static std::optional<LtGemm> create(cublasLtHandle_t handle, GemmPrecision p,
                                      const GemmShape& s, std::string* why, int batch_count = 1,
                                      int sm_count_target = 0);
  // Defined where Handles is complete, so that other translation units can move them too.
  LtGemm(LtGemm&&) noexcept;
  LtGemm& operator=(LtGemm&&) noexcept;
  ~LtGemm();

  // Scale pointers are ignored for BF16. All pointers are device pointers. Throws CudaError on
  // a cuBLAS error: cuBLASLt can offer a matmul in its heuristic and still refuse it at run
  // time, and the checks and tables catch that to fall back or to list the shape as unsupported.
  void run(const void* w, const float* w_scale, const void* act, const float* act_scale,
           void* out, void* workspace, cudaStream_t stream) const;
  const GemmShape& shape() const { return shape_; }
  // True when the output is written column-major, i.e. row-major [n][m]. Block-scaled FP8 poses
  // the activations as cuBLAS's A operand (1x128 VEC128 scales) and the weights as B (128x128
  // BLK128x128), as NVIDIA's LtBlk128x128Fp8Matmul sample does. On an H200 with cuBLASLt 13.1
  // (2026-11-30) the other assignment passed the heuristic and was refused at run time
  // (CUBLAS_STATUS_NOT_SUPPORTED). Rows must then be a multiple of 16 (create says why not).
  bool output_transposed() const { return precision_ == GemmPrecision::kFp8BlockScaled; }

 private:
  LtGemm() = default;
  struct Handles;
  std::unique_ptr<Handles> h_;
  GemmShape shape_;
  GemmPrecision precision_ = GemmPrecision::kBf16;
};

}  // namespace fleetsim::microbench
