// The calibrated kernel cost model: tile choice, extrapolation sanity, the facts-file decode
// attention example, and the "calibrated" LayerCostModel built from the profile.
#include <catch2/catch.hpp>

#include "sim/hw/cost_model_registry.hpp"
#include "sim/hw/kernel_cost_model.hpp"

#include "tests/fixtures.hpp"

using namespace fleetsim;

namespace {

using test::h800;
using test::v3;

Operator dense_fp8(std::int64_t m, std::int64_t n, std::int64_t k) {
  Operator op;
  op.cls = OpClass::kDenseGemm;
  op.precision = OpPrecision::kFp8;
  op.m = m, op.n = n, op.k = k;
  op.flops = gemm_flops(m, n, k);
  op.bytes = gemm_bytes(m, n, k, 1, 1.0);
  return op;
}

}  // namespace

TEST_CASE("tile choice follows DeepGEMM's rule") {
  const GemmTiling t = parse_kernel_model(h800()).tiling;
  // M=64, N=2112: block_n 16 gives exactly 132 tiles, one full wave.
  auto c = choose_gemm_tiles(t, dense_fp8(64, 2112, 7168), 132);
  CHECK(c.block_m == 64);
  CHECK(c.block_n == 16);
  CHECK(c.tiles == 132);
  CHECK(c.waves == 1);
  // M=4096, N=7168: 32 x 56 tiles of 128x128 = 1792 -> 14 waves on 132 SMs, 17 on 108.
  c = choose_gemm_tiles(t, dense_fp8(4096, 7168, 16384), 132);
  CHECK(c.block_n == 128);
  CHECK(c.waves == 14);
  CHECK(choose_gemm_tiles(t, dense_fp8(4096, 7168, 16384), 108).waves == 17);
}

TEST_CASE("TMA multicast follows DeepGEMM's rule: one group, M >= 1024, whole clusters of N") {
  const GemmTiling t = parse_kernel_model(h800()).tiling;
  CHECK(choose_gemm_tiles(t, dense_fp8(4096, 7168, 16384), 132).multicast == 2);
  CHECK(choose_gemm_tiles(t, dense_fp8(512, 7168, 16384), 132).multicast == 1);  // M < 1024
  // N = 2112 with block_n 112: 2112 is not a multiple of 224.
  CHECK(choose_gemm_tiles(t, dense_fp8(4096, 2112, 7168), 132).multicast == 1);
  Operator grouped = dense_fp8(1024, 4096, 7168);
  grouped.cls = OpClass::kGroupedGemmMasked;
  CHECK(choose_gemm_tiles(t, grouped, 132).multicast == 2);  // masked, one group
  grouped.groups = 2;
  CHECK(choose_gemm_tiles(t, grouped, 132).multicast == 1);  // masked, several groups
  grouped.cls = OpClass::kGroupedGemmContiguous;
  CHECK(choose_gemm_tiles(t, grouped, 132).multicast == 2);  // contiguous: one packed GEMM
}

TEST_CASE("GEMM time is monotone in M and grows when communication takes SMs") {
  const KernelCostModel k(h800().gpu, parse_kernel_model(h800()));
  // Doubling M never makes a GEMM faster. Step by step, a dip is allowed where DeepGEMM's rule
  // trades an unaligned block_n (two B scales a step) for a fuller last wave: at most a few %.
  double prev = 0;
  for (std::int64_t m = 1; m <= 16384; m += 37) {
    const double t = k.cost(dense_fp8(m, 7168, 2048), 132).time_s;
    REQUIRE(t >= prev * 0.95);
    prev = t;
  }
  for (std::int64_t n : {2112, 4096, 7168, 24576, 32768}) {
    prev = 0;
    for (std::int64_t m = 1; m <= 65536; m *= 2) {
      const double t = k.cost(dense_fp8(m, n, 7168), 132).time_s;
      REQUIRE(t >= prev);
      prev = t;
    }
  }
  const Operator big = dense_fp8(8192, 4096, 7168);
  const double t132 = k.cost(big, 132).time_s, t108 = k.cost(big, 108).time_s;
  CHECK(t108 > t132 * 1.1);
  CHECK(t108 < t132 * 132.0 / 108 * 1.1);
  // Never faster than the FP8 tensor peak or the HBM peak.
  CHECK(k.cost(big, 132).time_s > big.flops / h800().gpu.fp8_flops_per_s);
  const Operator thin = dense_fp8(1, 7168, 16384);
  CHECK(k.cost(thin, 132).time_s > thin.bytes / h800().gpu.hbm_bytes_per_s);
  CHECK(k.cost(thin, 132).bound != Bound::kCompute);
  CHECK(k.cost(big, 132).bound == Bound::kCompute);
}

TEST_CASE("memoised GEMM costs equal fresh ones, whatever was asked before") {
  const KernelModelParams params = parse_kernel_model(h800());
  const KernelCostModel warm(h800().gpu, params);
  // Fill the memo with many shapes (and the same shape on other SM counts and groups) first.
  for (std::int64_t m = 1; m <= 4096; m += 61) {
    warm.cost(dense_fp8(m, 7168, 2048), 132);
    warm.cost(dense_fp8(m, 7168, 2048), 108);
  }
  for (std::int64_t m : {1, 64, 128, 1000, 4096}) {
    for (int sms : {132, 108}) {
      const KernelCostModel fresh(h800().gpu, params);
      const Operator op = dense_fp8(m, 7168, 2048);
      const OpCost a = fresh.cost(op, sms), b = warm.cost(op, sms), c = warm.cost(op, sms);
      CHECK(a.time_s == b.time_s);
      CHECK(b.time_s == c.time_s);
      CHECK(a.block_n == b.block_n);
      CHECK(a.waves == b.waves);
    }
  }
  // Uneven groups are costed as given, not as any uniform shape seen before.
  Operator grouped = dense_fp8(64, 4096, 7168);
  grouped.cls = OpClass::kGroupedGemmMasked;
  grouped.groups = 2;
  const std::int64_t even[] = {64, 64}, uneven[] = {1, 127};
  grouped.group_m = even;
  const double t_even = warm.cost(grouped, 132).time_s;
  grouped.group_m = uneven;
  const KernelCostModel fresh(h800().gpu, params);
  CHECK(warm.cost(grouped, 132).time_s == fresh.cost(grouped, 132).time_s);
  CHECK(warm.cost(grouped, 132).time_s != t_even);
}

TEST_CASE("decode core attention at the facts-file example is ~270 us") {
  // Facts file 3.2: 128 seqs x 4,989 KV tokens, h_q=128, s_q=1, d_k=576, d_v=512:
  // 2*128*4989*1088*128 = 177.9 GFLOP => ~270 us at FlashMLA's 660 TFLOPS (compute-bound, since
  // the 736 MB of KV take 245 us at 3000 GB/s).
  const CalibratedLayerCostModel m(v3(), h800());
  RankBatch b;
  b.sequences = 128;
  b.tokens = 128;
  b.kv_tokens_read = 128.0 * 4989;
  b.attended_pairs = b.kv_tokens_read;
  const auto rows = explain_step(v3(), h800(), Phase::kDecode, b, ExpertWork{{128, 128}},
                                 SmSplit{132, 0});
  bool found = false;
  for (const auto& r : rows) {
    if (r.name != "mla_decode") continue;
    found = true;
    CHECK(r.time_ns == Approx(270'000).epsilon(0.03));
    CHECK(r.bound == "compute");
  }
  CHECK(found);
}

TEST_CASE("calibrated layer model: stages, SM split, step overhead, registry") {
  const CalibratedLayerCostModel m(v3(), h800());
  CHECK(m.name() == "calibrated");
  RankBatch pre;
  pre.tokens = 8192;
  pre.sequences = 2;
  pre.attended_pairs = 2 * 4096.0 * 4097 / 2;
  ExpertWork ex;
  ex.tokens_per_slot.assign(9, 8192 * 8 / 32 / 9);  // EP32, 9 routed slots per GPU
  const LayerStageTimes t132 = m.layer(Phase::kPrefill, true, pre, ex, SmSplit{132, 0});
  const LayerStageTimes t108 = m.layer(Phase::kPrefill, true, pre, ex, SmSplit{108, 24});
  CHECK(t132.attn_ns == t132.attn0_ns + t132.attn1_ns);
  CHECK(t132.attn_ns > 0);
  CHECK(t132.shared_ns > 0);
  CHECK(t132.mlp_ns > 0);
  CHECK(t108.attn_ns > t132.attn_ns);
  CHECK(t108.mlp_ns > t132.mlp_ns);
  const LayerStageTimes dense = m.layer(Phase::kPrefill, false, pre, ex, SmSplit{132, 0});
  CHECK(dense.mlp_ns == 0);
  CHECK(dense.shared_ns > t132.shared_ns);  // 18432-wide FFN vs one 2048-wide expert
  CHECK(m.step_overhead_ns(Phase::kPrefill, pre, 2, SmSplit{132, 0}) > 0);

  // The explain rows of the layer add up to the stage times (rounding per operator aside).
  const auto rows = explain_step(v3(), h800(), Phase::kPrefill, pre, ex, SmSplit{132, 0});
  std::int64_t mlp_ns = 0;
  for (const auto& r : rows)
    if (r.stage == "mlp") mlp_ns += r.time_ns;
  CHECK(mlp_ns == Approx(t132.mlp_ns).epsilon(1e-3));

  LayerCostModelRegistry reg("layer cost model");
  register_calibrated_cost_model(reg);
  REQUIRE(reg.contains("calibrated"));
  const Json spec = "calibrated";
  auto made = reg.create(JsonReader(spec, "test"), v3(), h800());
  CHECK(made->name() == "calibrated");
}

TEST_CASE("a profile without kernel_model is a ConfigError naming the section") {
  HardwareSpec h = h800();
  h.document.erase("kernel_model");
  CHECK_THROWS_AS(CalibratedLayerCostModel(v3(), h), ConfigError);
  try {
    CalibratedLayerCostModel bad(v3(), h);
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("/kernel_model") != std::string::npos);
  }
  h = h800();
  h.document["kernel_model"]["gemm"]["compute_efficiency"] = 1.5;
  CHECK_THROWS_AS(CalibratedLayerCostModel(v3(), h), ConfigError);
}
