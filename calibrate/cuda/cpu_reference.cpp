// CPU references and host-side BF16/FP8 conversions for the microbenchmark correctness checks.
#include "calibrate/cuda/cpu_reference.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace fleetsim::microbench {

std::uint16_t float_to_bf16(float x) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
  if (std::isnan(x)) return static_cast<std::uint16_t>((bits >> 16) | 0x0040u);  // quiet NaN
  const std::uint32_t lsb = (bits >> 16) & 1u;
  const std::uint32_t rounded = bits + 0x7FFFu + lsb;
  return static_cast<std::uint16_t>(rounded >> 16);
}

float bf16_to_float(std::uint16_t bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

float round_to_bf16(float x) { return bf16_to_float(float_to_bf16(x)); }

namespace {
constexpr int kE4m3Bias = 7;
constexpr int kE4m3MantissaBits = 3;
constexpr std::uint8_t kE4m3Nan = 0x7F;
}  // namespace

float fp8_e4m3_to_float(std::uint8_t bits) {
  const bool negative = (bits & 0x80u) != 0;
  const int exponent = (bits >> kE4m3MantissaBits) & 0xF;
  const int mantissa = bits & 0x7;
  float value = 0.0f;
  if (exponent == 0xF && mantissa == 0x7) {
    value = std::numeric_limits<float>::quiet_NaN();
  } else if (exponent == 0) {
    value = std::ldexp(static_cast<float>(mantissa), 1 - kE4m3Bias - kE4m3MantissaBits);
  } else {
    value = std::ldexp(static_cast<float>(8 + mantissa), exponent - kE4m3Bias - kE4m3MantissaBits);
  }
  return negative ? -value : value;
}

std::uint8_t float_to_fp8_e4m3(float x) {
  if (std::isnan(x)) return kE4m3Nan;
  const std::uint8_t sign = std::signbit(x) ? 0x80u : 0x00u;
  const float a = std::min(std::fabs(x), kFp8E4m3Max);
  // The spacing of representable values: 2^(e-3) for normals (e = floor(log2 a) >= -6),
  // 2^-9 for subnormals. Round a / spacing to nearest even, then re-encode.
  int e = a > 0.0f ? static_cast<int>(std::floor(std::log2(a))) : -kE4m3Bias + 1;
  e = std::max(e, 1 - kE4m3Bias);
  const float spacing = std::ldexp(1.0f, e - kE4m3MantissaBits);
  const float steps = std::nearbyint(a / spacing);  // default rounding mode: to nearest even
  const float rounded = std::min(steps * spacing, kFp8E4m3Max);
  // Encode `rounded` exactly.
  if (rounded == 0.0f) return sign;
  int re = static_cast<int>(std::floor(std::log2(rounded)));
  if (re < 1 - kE4m3Bias) {  // subnormal
    const int m = static_cast<int>(std::lround(rounded / std::ldexp(1.0f, -9)));
    return static_cast<std::uint8_t>(sign | m);
  }
  const int m = static_cast<int>(std::lround(rounded / std::ldexp(1.0f, re - 3))) - 8;
  return static_cast<std::uint8_t>(sign | ((re + kE4m3Bias) << kE4m3MantissaBits) | m);
}

double relative_error(const std::vector<float>& out, const std::vector<double>& ref) {
  if (out.size() != ref.size()) return std::numeric_limits<double>::infinity();
  double diff2 = 0.0, ref2 = 0.0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (std::isnan(out[i]) || std::isnan(ref[i])) return std::numeric_limits<double>::infinity();
    const double d = static_cast<double>(out[i]) - ref[i];
    diff2 += d * d;
    ref2 += ref[i] * ref[i];
  }
  if (ref2 == 0.0) return diff2 == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return std::sqrt(diff2 / ref2);
}

namespace {

QuantizedMatrix quantize_with(const std::vector<float>& x, std::int64_t rows, std::int64_t cols,
                              std::int64_t block_rows, std::int64_t block_cols) {
  QuantizedMatrix q;
  q.rows = rows;
  q.cols = cols;
  q.codes.resize(static_cast<std::size_t>(rows * cols));
  q.dequantized.resize(q.codes.size());
  const std::int64_t row_blocks = (rows + block_rows - 1) / block_rows;
  const std::int64_t col_blocks = (cols + block_cols - 1) / block_cols;
  q.scales.resize(static_cast<std::size_t>(row_blocks * col_blocks));
  for (std::int64_t rb = 0; rb < row_blocks; ++rb) {
    for (std::int64_t cb = 0; cb < col_blocks; ++cb) {
      const std::int64_t r_end = std::min(rows, (rb + 1) * block_rows);
      const std::int64_t c_end = std::min(cols, (cb + 1) * block_cols);
      float amax = 0.0f;
      for (std::int64_t r = rb * block_rows; r < r_end; ++r)
        for (std::int64_t c = cb * block_cols; c < c_end; ++c)
          amax = std::max(amax, std::fabs(x[static_cast<std::size_t>(r * cols + c)]));
      const float scale = std::max(amax, kQuantAmaxFloor) / kFp8E4m3Max;
      q.scales[static_cast<std::size_t>(rb * col_blocks + cb)] = scale;
      for (std::int64_t r = rb * block_rows; r < r_end; ++r) {
        for (std::int64_t c = cb * block_cols; c < c_end; ++c) {
          const auto i = static_cast<std::size_t>(r * cols + c);
          q.codes[i] = float_to_fp8_e4m3(x[i] / scale);
          q.dequantized[i] = fp8_e4m3_to_float(q.codes[i]) * scale;
        }
      }
    }
  }
  return q;
}

}  // namespace

QuantizedMatrix quantize_per_token_group(const std::vector<float>& x, std::int64_t rows,
                                         std::int64_t cols, std::int64_t group) {
  return quantize_with(x, rows, cols, 1, group);
}

QuantizedMatrix quantize_per_block(const std::vector<float>& w, std::int64_t rows,
                                   std::int64_t cols, std::int64_t block) {
  return quantize_with(w, rows, cols, block, block);
}

QuantizedMatrix quantize_per_tensor(const std::vector<float>& w, std::int64_t rows,
                                    std::int64_t cols) {
  return quantize_with(w, rows, cols, rows, cols);
}

std::vector<double> reference_gemm_nt(const std::vector<float>& a, const std::vector<float>& w,
                                      std::int64_t m, std::int64_t n, std::int64_t k) {
  std::vector<double> out(static_cast<std::size_t>(m * n));
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      double acc = 0.0;
      const float* ar = &a[static_cast<std::size_t>(i * k)];
      const float* wr = &w[static_cast<std::size_t>(j * k)];
      for (std::int64_t p = 0; p < k; ++p) acc += static_cast<double>(ar[p]) * wr[p];
      out[static_cast<std::size_t>(i * n + j)] = acc;
    }
  }
  return out;
}

std::vector<double> reference_rmsnorm(const std::vector<float>& x,
                                      const std::vector<float>& weight, std::int64_t rows,
                                      std::int64_t width, double eps) {
  std::vector<double> out(static_cast<std::size_t>(rows * width));
  for (std::int64_t r = 0; r < rows; ++r) {
    double sum2 = 0.0;
    for (std::int64_t c = 0; c < width; ++c) {
      const double v = x[static_cast<std::size_t>(r * width + c)];
      sum2 += v * v;
    }
    const double inv = 1.0 / std::sqrt(sum2 / static_cast<double>(width) + eps);
    for (std::int64_t c = 0; c < width; ++c) {
      const auto i = static_cast<std::size_t>(r * width + c);
      out[i] = x[i] * inv * weight[static_cast<std::size_t>(c)];
    }
  }
  return out;
}

std::vector<double> reference_swiglu(const std::vector<float>& in, std::int64_t rows,
                                     std::int64_t width) {
  std::vector<double> out(static_cast<std::size_t>(rows * width));
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < width; ++c) {
      const double g = in[static_cast<std::size_t>(r * 2 * width + c)];
      const double u = in[static_cast<std::size_t>(r * 2 * width + width + c)];
      out[static_cast<std::size_t>(r * width + c)] = g / (1.0 + std::exp(-g)) * u;
    }
  }
  return out;
}

namespace {

// Softmax-weighted sum of `count` value rows for one query; keys and values are strided views.
void attend(const float* q, std::int64_t d_qk, std::int64_t d_v, std::int64_t count,
            const float* k0, std::int64_t k_stride, const float* v0, std::int64_t v_stride,
            double softmax_scale, double* out) {
  std::vector<double> logits(static_cast<std::size_t>(count));
  double max_logit = -std::numeric_limits<double>::infinity();
  for (std::int64_t t = 0; t < count; ++t) {
    const float* kr = k0 + t * k_stride;
    double dot = 0.0;
    for (std::int64_t d = 0; d < d_qk; ++d) dot += static_cast<double>(q[d]) * kr[d];
    logits[static_cast<std::size_t>(t)] = dot * softmax_scale;
    max_logit = std::max(max_logit, logits[static_cast<std::size_t>(t)]);
  }
  double denom = 0.0;
  for (double& l : logits) {
    l = std::exp(l - max_logit);
    denom += l;
  }
  for (std::int64_t d = 0; d < d_v; ++d) out[d] = 0.0;
  for (std::int64_t t = 0; t < count; ++t) {
    const float* vr = v0 + t * v_stride;
    const double p = logits[static_cast<std::size_t>(t)] / denom;
    for (std::int64_t d = 0; d < d_v; ++d) out[d] += p * vr[d];
  }
}

}  // namespace

std::vector<double> reference_mla_decode(const std::vector<float>& q, const std::vector<float>& kv,
                                         const std::vector<std::int32_t>& seqlens,
                                         std::int64_t batch, std::int64_t seqlen_max,
                                         std::int64_t heads, std::int64_t d_qk, std::int64_t d_v,
                                         double softmax_scale) {
  std::vector<double> out(static_cast<std::size_t>(batch * heads * d_v));
  for (std::int64_t b = 0; b < batch; ++b) {
    const float* kv_b = &kv[static_cast<std::size_t>(b * seqlen_max * d_qk)];
    for (std::int64_t h = 0; h < heads; ++h) {
      attend(&q[static_cast<std::size_t>((b * heads + h) * d_qk)], d_qk, d_v,
             seqlens[static_cast<std::size_t>(b)], kv_b, d_qk, kv_b, d_qk, softmax_scale,
             &out[static_cast<std::size_t>((b * heads + h) * d_v)]);
    }
  }
  return out;
}

std::vector<double> reference_prefill_attention(const std::vector<float>& q,
                                                const std::vector<float>& k,
                                                const std::vector<float>& v, std::int64_t seqlen,
                                                std::int64_t heads, std::int64_t d_qk,
                                                std::int64_t d_v, double softmax_scale) {
  std::vector<double> out(static_cast<std::size_t>(seqlen * heads * d_v));
  for (std::int64_t i = 0; i < seqlen; ++i) {
    for (std::int64_t h = 0; h < heads; ++h) {
      attend(&q[static_cast<std::size_t>((i * heads + h) * d_qk)], d_qk, d_v, i + 1,
             &k[static_cast<std::size_t>(h * d_qk)], heads * d_qk,
             &v[static_cast<std::size_t>(h * d_v)], heads * d_v, softmax_scale,
             &out[static_cast<std::size_t>((i * heads + h) * d_v)]);
    }
  }
  return out;
}

}  // namespace fleetsim::microbench
