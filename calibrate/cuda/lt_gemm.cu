// cuBLASLt matmul setup for the GEMM tables. cuBLAS is column-major, so the row-major problem
// out = act * w^T is posed as out^T (n x m) = w (op T) * act^T: cuBLAS A = weights, B =
// activations. Block-scaled FP8 swaps the operands (see LtGemm::output_transposed): out (m x n,
// column-major) = act (op T) * w^T, cuBLAS A = activations, B = weights.
#include "calibrate/cuda/lt_gemm.cuh"

namespace fleetsim::microbench {
namespace {

constexpr std::int64_t kScaleBlock = 128;  // DeepGEMM / cuBLASLt VEC128 and BLK128x128 blocks
constexpr int kHeuristicCandidates = 8;
constexpr std::int64_t kActivationRowsAlign = 16;  // 16 rows: 32 bytes of BF16 output, 64 of scales

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace

const char* precision_name(GemmPrecision p) {
  switch (p) {
    case GemmPrecision::kFp8BlockScaled:
      return "fp8_e4m3_block_scaled_1x128_128x128";
    case GemmPrecision::kFp8PerTensor:
      return "fp8_e4m3_per_tensor_scaled";
    case GemmPrecision::kBf16:
      return "bf16";
  }
  return "?";
}

double input_bytes_per_elem(GemmPrecision p) { return p == GemmPrecision::kBf16 ? 2.0 : 1.0; }

std::size_t activation_scale_count(GemmPrecision p, const GemmShape& s) {
  if (p == GemmPrecision::kBf16) return 0;
  if (p == GemmPrecision::kFp8PerTensor) return 1;
  return static_cast<std::size_t>(ceil_div(s.k, kScaleBlock) * s.m);
}

std::size_t weight_scale_count(GemmPrecision p, const GemmShape& s) {
  if (p == GemmPrecision::kBf16) return 0;
  if (p == GemmPrecision::kFp8PerTensor) return 1;
  return static_cast<std::size_t>(ceil_div(s.n, kScaleBlock) * ceil_div(s.k, kScaleBlock));
}

std::size_t scale_group_stride(std::size_t count) {
  constexpr std::size_t kFloatsPer16Bytes = 4;
  return (count + kFloatsPer16Bytes - 1) / kFloatsPer16Bytes * kFloatsPer16Bytes;
}

struct LtGemm::Handles {
  cublasLtHandle_t lt = nullptr;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulAlgo_t algo{};
  ~Handles() {
    if (d != nullptr) cublasLtMatrixLayoutDestroy(d);
    if (b != nullptr) cublasLtMatrixLayoutDestroy(b);
    if (a != nullptr) cublasLtMatrixLayoutDestroy(a);
    if (desc != nullptr) cublasLtMatmulDescDestroy(desc);
  }
};

LtGemm::~LtGemm() = default;
LtGemm::LtGemm(LtGemm&&) noexcept = default;
LtGemm& LtGemm::operator=(LtGemm&&) noexcept = default;

std::optional<LtGemm> LtGemm::create(cublasLtHandle_t handle, GemmPrecision p, const GemmShape& s,
                                     std::string* why, int batch_count, int sm_count_target) {
  if (batch_count > 1 && p != GemmPrecision::kBf16) {
    // Block-scaled FP8 has no documented per-batch scale layout.
    if (why != nullptr) *why = std::string("strided-batched matmuls are BF16 only, not ") + precision_name(p);
    return std::nullopt;
  }
  // Block-scaled FP8 poses the activations as A (see output_transposed()).
  const bool activations_as_a = p == GemmPrecision::kFp8BlockScaled;
  if (activations_as_a && s.m % kActivationRowsAlign != 0) {
    // Rows are then the output's leading dimension and the 1x128 scales' fastest one: cuBLASLt
    // read past a [k/128][m] scale array at m = 5458 (an illegal access on an H200), so such
    // shapes are refused here and callers pad the rows.
    if (why != nullptr)
      *why = "block-scaled FP8 with activations as A needs m a multiple of " +
             std::to_string(kActivationRowsAlign) + ", not " + std::to_string(s.m);
    return std::nullopt;
  }
  LtGemm g;
  g.h_ = std::make_unique<Handles>();
  g.shape_ = s;
  g.precision_ = p;
  Handles& h = *g.h_;
  h.lt = handle;
  FS_CUBLAS(cublasLtMatmulDescCreate(&h.desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  const cublasOperation_t trans_a = CUBLAS_OP_T, trans_b = CUBLAS_OP_N;
  FS_CUBLAS(cublasLtMatmulDescSetAttribute(h.desc, CUBLASLT_MATMUL_DESC_TRANSA, &trans_a,
                                           sizeof(trans_a)));
  FS_CUBLAS(cublasLtMatmulDescSetAttribute(h.desc, CUBLASLT_MATMUL_DESC_TRANSB, &trans_b,
                                           sizeof(trans_b)));
  const cudaDataType_t in_type = p == GemmPrecision::kBf16 ? CUDA_R_16BF : CUDA_R_8F_E4M3;
  if (p == GemmPrecision::kFp8BlockScaled) {
    const cublasLtMatmulMatrixScale_t a_mode = CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;  // act
    const cublasLtMatmulMatrixScale_t b_mode = CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F;  // w
    FS_CUBLAS(cublasLtMatmulDescSetAttribute(h.desc, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &a_mode,
                                             sizeof(a_mode)));
    FS_CUBLAS(cublasLtMatmulDescSetAttribute(h.desc, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &b_mode,
                                             sizeof(b_mode)));
  }
  if (p != GemmPrecision::kBf16) {
    // The heuristic rejects null scale pointers in block-scaled modes (status 7 on an H200, cuBLASLt
    // 13.1), so it is shown a real, 16-byte-aligned device pointer; real ones are set per run.
    // Allocated once for the process and never freed: it must outlive every LtGemm.
    static const float* const placeholder = [] {
      void* ptr = nullptr;
      FS_CUDA(cudaMalloc(&ptr, 256));
      return static_cast<const float*>(ptr);
    }();
    FS_CUBLAS(cublasLtMatmulDescSetAttribute(h.desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER,
                                             &placeholder, sizeof(placeholder)));
    FS_CUBLAS(cublasLtMatmulDescSetAttribute(h.desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER,
                                             &placeholder, sizeof(placeholder)));
  }
  if (sm_count_target > 0) {
    const std::int32_t target = sm_count_target;
    FS_CUBLAS(cublasLtMatmulDescSetAttribute(h.desc, CUBLASLT_MATMUL_DESC_SM_COUNT_TARGET, &target,
                                             sizeof(target)));
  }
  const auto m = static_cast<std::uint64_t>(s.m), n = static_cast<std::uint64_t>(s.n),
             k = static_cast<std::uint64_t>(s.k);
  // A is always the transposed operand (k x rows, ld k), B the plain one (k x cols, ld k).
  const std::uint64_t a_cols = activations_as_a ? m : n, b_cols = activations_as_a ? n : m;
  FS_CUBLAS(cublasLtMatrixLayoutCreate(&h.a, in_type, k, a_cols, static_cast<std::int64_t>(k)));
  FS_CUBLAS(cublasLtMatrixLayoutCreate(&h.b, in_type, k, b_cols, static_cast<std::int64_t>(k)));
  FS_CUBLAS(cublasLtMatrixLayoutCreate(&h.d, CUDA_R_16BF, a_cols, b_cols,
                                       static_cast<std::int64_t>(a_cols)));
  if (batch_count > 1) {
    // Batches follow each other in memory: weights [batch][n][k], activations [batch][m][k],
    // output [batch][m][n] (strides in elements).
    const std::int32_t count = batch_count;
    const struct {
      cublasLtMatrixLayout_t layout;
      std::int64_t stride;
    } batched[] = {{h.a, s.n * s.k}, {h.b, s.m * s.k}, {h.d, s.m * s.n}};
    for (const auto& b : batched) {
      FS_CUBLAS(cublasLtMatrixLayoutSetAttribute(b.layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT,
                                                 &count, sizeof(count)));
      FS_CUBLAS(cublasLtMatrixLayoutSetAttribute(
          b.layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &b.stride, sizeof(b.stride)));
    }
  }

  cublasLtMatmulPreference_t pref = nullptr;
  FS_CUBLAS(cublasLtMatmulPreferenceCreate(&pref));
  const std::size_t ws = kGemmWorkspaceBytes;
  FS_CUBLAS(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                 &ws, sizeof(ws)));
  cublasLtMatmulHeuristicResult_t results[kHeuristicCandidates] = {};
  int returned = 0;
  const cublasStatus_t st = cublasLtMatmulAlgoGetHeuristic(
      handle, h.desc, h.a, h.b, h.d, h.d, pref, kHeuristicCandidates, results, &returned);
  cublasLtMatmulPreferenceDestroy(pref);
  if (st != CUBLAS_STATUS_SUCCESS || returned == 0) {
    if (why != nullptr)
      *why = std::string("cublasLtMatmulAlgoGetHeuristic found no algorithm for ") +
             precision_name(p) + " m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) +
             " k=" + std::to_string(s.k) + " (status " + std::to_string(static_cast<int>(st)) +
             ")";
    return std::nullopt;
  }
  h.algo = results[0].algo;  // cuBLASLt orders candidates by its own estimate
  return g;
}

void LtGemm::run(const void* w, const float* w_scale, const void* act, const float* act_scale,
                 void* out, void* workspace, cudaStream_t stream) const {
  Handles& h = *h_;
  const bool activations_as_a = output_transposed();
  const void* a = activations_as_a ? act : w;
  const void* b = activations_as_a ? w : act;
  if (precision_ != GemmPrecision::kBf16) {
    const float* a_scale = activations_as_a ? act_scale : w_scale;
    const float* b_scale = activations_as_a ? w_scale : act_scale;
    FS_CUBLAS(cublasLtMatmulDescSetAttribute(h.desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER,
                                             &a_scale, sizeof(a_scale)));
    FS_CUBLAS(cublasLtMatmulDescSetAttribute(h.desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER,
                                             &b_scale, sizeof(b_scale)));
  }
  const float alpha = 1.0f, beta = 0.0f;
  FS_CUBLAS(cublasLtMatmul(h.lt, h.desc, &alpha, a, h.a, b, h.b, &beta, out, h.d, out, h.d,
                           &h.algo, workspace, kGemmWorkspaceBytes, stream));
}

}  // namespace fleetsim::microbench
