// CPU references and host BF16/FP8 conversions of the microbenchmark, on hand-derived cases.
#include <catch2/catch.hpp>
#include <cmath>

#include "calibrate/cuda/cpu_reference.hpp"

using namespace fleetsim::microbench;

TEST_CASE("bf16 rounds to nearest even") {
  CHECK(float_to_bf16(1.0f) == 0x3F80);
  CHECK(bf16_to_float(0x3F80) == 1.0f);
  CHECK(round_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 1.0f);  // tie -> even (1.0)
  CHECK(round_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)) == 1.0f + std::ldexp(1.0f, -6));  // tie -> even
  CHECK(std::isnan(bf16_to_float(float_to_bf16(NAN))));
}

TEST_CASE("fp8 e4m3 encodes, rounds and saturates") {
  CHECK(float_to_fp8_e4m3(1.0f) == 0x38);
  CHECK(float_to_fp8_e4m3(0.5f) == 0x30);
  CHECK(float_to_fp8_e4m3(-2.0f) == 0xC0);
  CHECK(float_to_fp8_e4m3(448.0f) == 0x7E);
  CHECK(float_to_fp8_e4m3(1000.0f) == 0x7E);  // saturates, never NaN
  CHECK(float_to_fp8_e4m3(std::ldexp(1.0f, -9)) == 0x01);  // smallest subnormal
  CHECK(float_to_fp8_e4m3(1.0625f) == 0x38);  // tie between 1.0 and 1.125 -> even mantissa
  CHECK(float_to_fp8_e4m3(1.1875f) == 0x3A);  // tie between 1.125 and 1.25 -> 1.25
  CHECK(float_to_fp8_e4m3(NAN) == 0x7F);
  CHECK(std::isnan(fp8_e4m3_to_float(0x7F)));
  CHECK(fp8_e4m3_to_float(0x7E) == 448.0f);
  for (int c = 0; c < 256; ++c) {
    if ((c & 0x7F) == 0x7F) continue;
    const auto code = static_cast<std::uint8_t>(c);
    const float v = fp8_e4m3_to_float(code);
    INFO("code " << c << " value " << v);
    if (v == 0.0f) continue;  // -0 and +0 both decode to zero
    CHECK(float_to_fp8_e4m3(v) == code);
  }
}

TEST_CASE("relative error") {
  CHECK(relative_error({1.0f, 2.0f}, {1.0, 2.0}) == 0.0);
  CHECK(relative_error({3.0f}, {4.0}) == Approx(0.25));
  CHECK(std::isinf(relative_error({NAN}, {1.0})));
  CHECK(std::isinf(relative_error({1.0f}, {1.0, 2.0})));
}

TEST_CASE("per-token-group quantisation: scale = amax / 448, values within FP8 precision") {
  std::vector<float> x(2 * 256);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i)) * (i < 128 ? 0.01f : 5.0f);
  const auto q = quantize_per_token_group(x, 2, 256, 128);
  REQUIRE(q.scales.size() == 4);
  float amax0 = 0.0f;
  for (int i = 0; i < 128; ++i) amax0 = std::max(amax0, std::fabs(x[static_cast<std::size_t>(i)]));
  CHECK(q.scales[0] == Approx(amax0 / 448.0f));
  for (std::size_t i = 0; i < x.size(); ++i)
    CHECK(std::fabs(q.dequantized[i] - x[i]) <= std::fabs(x[i]) * 0.0625f + 1e-6f);
  const auto blk = quantize_per_block(x, 2, 256, 128);
  CHECK(blk.scales.size() == 2);
  CHECK(quantize_per_tensor(x, 2, 256).scales.size() == 1);
}

TEST_CASE("reference GEMM is activations x weights^T") {
  // a = [[1,2],[3,4]], w = [[1,0],[1,1],[0,2]] -> out = [[1,3,4],[3,7,8]]
  const auto out = reference_gemm_nt({1, 2, 3, 4}, {1, 0, 1, 1, 0, 2}, 2, 3, 2);
  CHECK(out == std::vector<double>{1, 3, 4, 3, 7, 8});
}

TEST_CASE("RMSNorm and SwiGLU references") {
  // x = [3, 4]: mean square 12.5, so y = x / sqrt(12.5) * w.
  const auto y = reference_rmsnorm({3, 4}, {1, 2}, 1, 2, 0.0);
  CHECK(y[0] == Approx(3 / std::sqrt(12.5)));
  CHECK(y[1] == Approx(8 / std::sqrt(12.5)));
  // [gate | up] = [0, 1 | 5, 2]: silu(0)*5 = 0, silu(1)*2 = 2/(1+e^-1).
  const auto s = reference_swiglu({0, 1, 5, 2}, 1, 2);
  CHECK(s[0] == 0.0);
  CHECK(s[1] == Approx(2.0 / (1.0 + std::exp(-1.0))));
}

TEST_CASE("MLA decode reference: one token returns its value rows; equal keys average") {
  // batch 1, 1 head, d_qk 2, d_v 1 (V = first column of the latent row).
  const std::vector<float> q = {1, 1};
  CHECK(reference_mla_decode(q, {5, 9, 7, 7}, {1}, 1, 2, 1, 2, 1, 1.0)[0] == Approx(5));
  // Two keys with equal scores (5+1=6 vs 3+3=6): mean of values 5 and 3.
  CHECK(reference_mla_decode(q, {5, 1, 3, 3}, {2}, 1, 2, 1, 2, 1, 1.0)[0] == Approx(4));
}

TEST_CASE("prefill reference is causal") {
  // 2 tokens, 1 head, d_qk 1, d_v 1: token 0 sees only itself.
  const auto out = reference_prefill_attention({1, 1}, {0, 0}, {2, 4}, 2, 1, 1, 1, 1.0);
  CHECK(out[0] == Approx(2));
  CHECK(out[1] == Approx(3));
}
