// The microbenchmark plan and its FLOP/byte conventions, checked against DeepGEMM's and
// FlashMLA's published rows (facts file 3.1, 3.2): their TFLOPS and GB/s columns must agree.
#include <catch2/catch.hpp>

#include "calibrate/cuda/bench_shapes.hpp"

using namespace fleetsim::microbench;

TEST_CASE("DeepGEMM shape lists match the README tables") {
  const auto dense = deepgemm_dense_shapes();
  REQUIRE(dense.size() == 18);
  CHECK(dense.front().m == 64);
  CHECK(dense.front().n == 2112);
  CHECK(dense.front().k == 7168);
  CHECK(dense.back().m == 4096);
  CHECK(dense.back().n == 7168);
  CHECK(dense.back().k == 2048);
  const auto contiguous = deepgemm_contiguous_shapes();
  REQUIRE(contiguous.size() == 4);
  CHECK(contiguous[0].groups * contiguous[0].m == 32768);
  CHECK(contiguous[3].groups == 8);
  const auto masked = deepgemm_masked_shapes();
  REQUIRE(masked.size() == 6);
  for (const auto& s : masked) CHECK(s.groups * s.m == 1024);
}

TEST_CASE("GEMM byte convention reproduces DeepGEMM's GB/s from its TFLOPS") {
  // Row M=64 N=2112 K=7168: 206 TFLOPS, 1688 GB/s. t = 2*64*2112*7168 / 206e12 = 9.4066 us;
  // bytes = 64*7168 + 2112*7168 (FP8) + 64*2112*2 (BF16 out) = 15,867,904 -> 1687 GB/s.
  const GemmShape s{64, 2112, 7168};
  CHECK(gemm_flops(s) == 1937768448.0);
  CHECK(gemm_bytes(s, 1.0, 2.0) == 15867904.0);
  const double t = gemm_flops(s) / 206e12;
  CHECK(gemm_bytes(s, 1.0, 2.0) / t / 1e9 == Approx(1688).epsilon(0.005));

  // Contiguous 4 x 8192, N=4096 K=7168: 1346 TFLOPS, 434 GB/s (weights counted per group).
  const GroupedGemmShape g{4, 8192, 4096, 7168};
  const double tg = grouped_gemm_flops(g) / 1346e12;
  CHECK(grouped_gemm_bytes(g, 1.0, 2.0) / tg / 1e9 == Approx(434).epsilon(0.005));

  // Masked 1 x 1024, N=4096 K=7168: 1233 TFLOPS, 924 GB/s.
  const GroupedGemmShape mk{1, 1024, 4096, 7168};
  const double tm = grouped_gemm_flops(mk) / 1233e12;
  CHECK(grouped_gemm_bytes(mk, 1.0, 2.0) / tm / 1e9 == Approx(924).epsilon(0.005));
}

TEST_CASE("MLA decode FLOPs follow FlashMLA's formula") {
  // facts 3.2: 128 seqs x 4989 tokens, h=128, d_k+d_v=1088 -> 177.9 GFLOP.
  const MlaDecodeShape s{128, 4989, 128, 576, 512, 64};
  CHECK(mla_decode_flops(s) / 1e9 == Approx(177.9).epsilon(0.001));
  // KV once (128*4989*576*2) + Q (128*128*576*2) + O (128*128*512*2).
  CHECK(mla_decode_bytes(s) == 128.0 * 4989 * 576 * 2 + 128.0 * 128 * 576 * 2 + 128.0 * 128 * 512 * 2);
}

TEST_CASE("prefill attention counts only the causal triangle") {
  const PrefillAttentionShape s{2, 3, 192, 128};  // pairs (0,0), (1,0), (1,1)
  CHECK(prefill_attention_flops(s) == 2.0 * 3 * 3 * 320);
  CHECK(prefill_attention_bytes(s) == 2.0 * 3 * (2 * 192 + 2 * 128) * 2);
}

TEST_CASE("elementwise byte counts") {
  CHECK(elementwise_bytes({"rmsnorm", 4, 7168}) == (2.0 * 4 * 7168 + 7168) * 2);
  CHECK(elementwise_bytes({"swiglu", 4, 2048}) == 3.0 * 4 * 2048 * 2);
  CHECK(elementwise_bytes({"fp8_quant_per_token_group", 4, 7168}) == 4.0 * 7168 * 3 + 4.0 * 56 * 4);
  CHECK(elementwise_bytes({"unknown", 4, 8}) == 0.0);
}

TEST_CASE("rotation covers twice the L2") {
  const double l2 = 50e6;
  CHECK(rotation_sets(10e6, l2, 16) == 10);
  CHECK(rotation_sets(1e6, l2, 16) == 16);
  CHECK(rotation_sets(200e6, l2, 16) == 1);
  CHECK(rotation_sets(0.0, l2, 16) == 1);
}

TEST_CASE("plans: full is the DeepGEMM set with >= 20 repeats; quick is a subset") {
  const BenchPlan full = make_bench_plan(false);
  CHECK(full.dense_gemm.size() == 18);
  CHECK(full.timed_iters >= 20);
  CHECK(full.warmup_iters > 0);
  const BenchPlan quick = make_bench_plan(true);
  CHECK(quick.dense_gemm.size() < full.dense_gemm.size());
  CHECK_FALSE(quick.mla_decode.empty());
  for (const auto& s : full.mla_decode) CHECK(s.heads % 16 == 0);
  for (const auto& e : full.elementwise) CHECK(e.width % 128 == 0);
}

TEST_CASE("table names") {
  CHECK(is_table_name("dense_gemm"));
  CHECK(is_table_name("grouped_gemm_masked"));
  CHECK_FALSE(is_table_name("dense"));
}
