// CPU references for every kernel fleetsim_microbench times, plus the BF16 and FP8 (e4m3) number
// formats done bit-exactly on the host, so that GPU results can be checked without a GPU library.
#pragma once

#include <cstdint>
#include <vector>

namespace fleetsim::microbench {

// BF16: round to nearest even; NaN stays NaN.
std::uint16_t float_to_bf16(float x);
float bf16_to_float(std::uint16_t bits);
float round_to_bf16(float x);

// FP8 e4m3 "fn" (OCP): bias 7, max finite 448, no infinities; conversion rounds to nearest even
// and saturates to +-448 (what __nv_cvt_float_to_fp8(..., __NV_SATFINITE, __NV_E4M3) does).
constexpr float kFp8E4m3Max = 448.0f;
std::uint8_t float_to_fp8_e4m3(float x);
float fp8_e4m3_to_float(std::uint8_t bits);

// ||out - ref|| / ||ref|| in double; infinity when any value is NaN or sizes differ.
double relative_error(const std::vector<float>& out, const std::vector<double>& ref);

// FP8 quantisation with 128-element groups along the inner (K) dimension.
struct QuantizedMatrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::uint8_t> codes;  // rows x cols, row-major
  std::vector<float> scales;        // layout documented by the producing function
  std::vector<float> dequantized;   // rows x cols: codes * scale, the values the GEMM sees
};

// Activations: one scale per (row, 128-column group); scales row-major [row][group].
// scale = max(amax, amax_floor) / 448 (the floor keeps all-zero groups finite; DeepGEMM tests).
constexpr float kQuantAmaxFloor = 1e-4f;
QuantizedMatrix quantize_per_token_group(const std::vector<float>& x, std::int64_t rows,
                                         std::int64_t cols, std::int64_t group);
// Weights: one scale per 128x128 block; scales row-major [row_block][col_block].
QuantizedMatrix quantize_per_block(const std::vector<float>& w, std::int64_t rows,
                                   std::int64_t cols, std::int64_t block);
// One scale for the whole tensor; scales has one element.
QuantizedMatrix quantize_per_tensor(const std::vector<float>& w, std::int64_t rows,
                                    std::int64_t cols);

// out[m][n] = sum_k a[m][k] * w[n][k] ("NT", as every fleetsim GEMM: activations x weights^T).
std::vector<double> reference_gemm_nt(const std::vector<float>& a, const std::vector<float>& w,
                                      std::int64_t m, std::int64_t n, std::int64_t k);

// y = x / sqrt(mean(x^2) + eps) * weight, per row.
std::vector<double> reference_rmsnorm(const std::vector<float>& x,
                                      const std::vector<float>& weight, std::int64_t rows,
                                      std::int64_t width, double eps);

// in is rows x (2*width): [gate | up]; out = silu(gate) * up.
std::vector<double> reference_swiglu(const std::vector<float>& in, std::int64_t rows,
                                     std::int64_t width);

// MLA decode with s_q = 1: q [batch][heads][d_qk]; kv [batch][seqlen_max][d_qk] (V is the first
// d_v columns of the same latent row); seqlens[b] <= seqlen_max. Output [batch][heads][d_v].
std::vector<double> reference_mla_decode(const std::vector<float>& q, const std::vector<float>& kv,
                                         const std::vector<std::int32_t>& seqlens,
                                         std::int64_t batch, std::int64_t seqlen_max,
                                         std::int64_t heads, std::int64_t d_qk, std::int64_t d_v,
                                         double softmax_scale);

// Causal attention: q, k [seqlen][heads][d_qk], v [seqlen][heads][d_v]; out [seqlen][heads][d_v].
std::vector<double> reference_prefill_attention(const std::vector<float>& q,
                                                const std::vector<float>& k,
                                                const std::vector<float>& v, std::int64_t seqlen,
                                                std::int64_t heads, std::int64_t d_qk,
                                                std::int64_t d_v, double softmax_scale);

}  // namespace fleetsim::microbench
