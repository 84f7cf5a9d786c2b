// Benchmark plan of fleetsim_microbench. Shapes come from the DeepSeek-V3 inference facts file
// (/work/shared/reference/deepseek-v3-inference-facts.md, "facts" below); sources cited inline.
#include "calibrate/cuda/bench_shapes.hpp"

#include <algorithm>
#include <cmath>

namespace fleetsim::microbench {
namespace {

// facts 3.1: the six (N, K) pairs of the DeepGEMM normal-GEMM table (V3 layers per facts 2:
// fused q_a+kv_a, q_b, kv_b, o_proj, expert gate+up, expert down).
const std::vector<std::pair<std::int64_t, std::int64_t>>& deepgemm_nk_pairs() {
  static const std::vector<std::pair<std::int64_t, std::int64_t>> pairs = {
      {2112, 7168}, {24576, 1536}, {32768, 512}, {7168, 16384}, {4096, 7168}, {7168, 2048}};
  return pairs;
}

// facts 3.1: the grouped tables use only the two expert shapes (gate+up, down).
const std::vector<std::pair<std::int64_t, std::int64_t>>& expert_nk_pairs() {
  static const std::vector<std::pair<std::int64_t, std::int64_t>> pairs = {{4096, 7168},
                                                                            {7168, 2048}};
  return pairs;
}

// facts 2: hidden size 7168, expert intermediate 2048; FP8 activations are quantised per token
// per 128 channels (README_WEIGHTS).
constexpr std::int64_t kHiddenSize = 7168;
constexpr std::int64_t kExpertIntermediate = 2048;

// facts 3.2 / FlashMLA: head_dim_k 576 (512 latent + 64 rope), head_dim_v 512, paged KV block
// size 64, 128 query heads with no TP in decode.
constexpr MlaDecodeShape kMlaTemplate{0, 0, 128, 576, 512, 64};
// facts 2: prefill attention in the non-absorbed form: q/k head dim 128 nope + 64 rope = 192,
// v head dim 128, 128 heads.
constexpr PrefillAttentionShape kPrefillTemplate{0, 128, 192, 128};

constexpr std::int64_t kMiB = 1024 * 1024;

}  // namespace

std::vector<GemmShape> deepgemm_dense_shapes() {
  std::vector<GemmShape> shapes;
  for (std::int64_t m : {64, 128, 4096}) {
    for (const auto& [n, k] : deepgemm_nk_pairs()) shapes.push_back({m, n, k});
  }
  return shapes;
}

std::vector<GroupedGemmShape> deepgemm_contiguous_shapes() {
  std::vector<GroupedGemmShape> shapes;
  for (const auto& [groups, m] : std::vector<std::pair<std::int64_t, std::int64_t>>{{4, 8192},
                                                                                  {8, 4096}}) {
    for (const auto& [n, k] : expert_nk_pairs()) shapes.push_back({groups, m, n, k});
  }
  return shapes;
}

std::vector<GroupedGemmShape> deepgemm_masked_shapes() {
  std::vector<GroupedGemmShape> shapes;
  for (const auto& [groups, m] : std::vector<std::pair<std::int64_t, std::int64_t>>{
           {1, 1024}, {2, 512}, {4, 256}}) {
    for (const auto& [n, k] : expert_nk_pairs()) shapes.push_back({groups, m, n, k});
  }
  return shapes;
}

BenchPlan make_bench_plan(bool quick) {
  BenchPlan plan;
  auto mla = [](std::int64_t batch, std::int64_t seqlen) {
    MlaDecodeShape s = kMlaTemplate;
    s.batch = batch;
    s.seqlen_k = seqlen;
    return s;
  };
  auto prefill = [](std::int64_t seqlen) {
    PrefillAttentionShape s = kPrefillTemplate;
    s.seqlen = seqlen;
    return s;
  };
  if (quick) {
    plan.dense_gemm = {{128, 7168, 2048}, {4096, 7168, 2048}};
    plan.grouped_gemm_contiguous = {{4, 8192, 7168, 2048}};
    plan.grouped_gemm_masked = {{4, 256, 7168, 2048}};
    plan.mla_decode = {mla(32, 1024)};
    plan.attention_prefill = {prefill(1024)};
    plan.hbm_copy_bytes = {256 * kMiB};
    plan.elementwise = {{"rmsnorm", 4096, kHiddenSize},
                        {"swiglu", 4096, kExpertIntermediate},
                        {"fp8_quant_per_token_group", 4096, kHiddenSize}};
    plan.warmup_iters = 3;
    plan.timed_iters = 10;
    return plan;
  }
  plan.dense_gemm = deepgemm_dense_shapes();
  plan.grouped_gemm_contiguous = deepgemm_contiguous_shapes();
  plan.grouped_gemm_masked = deepgemm_masked_shapes();
  // facts 1.1: mean KV length 4,989 tokens; facts 1.4: 128 requests per decode GPU in the
  // profile-data traces, split into 2 micro-batches of 64.
  plan.mla_decode = {mla(64, 2048), mla(64, 4096), mla(128, 2048), mla(128, 4096)};
  // facts 1.4: prefill prompts of 4K tokens in the profile-data traces.
  plan.attention_prefill = {prefill(1024), prefill(4096)};
  plan.hbm_copy_bytes = {64 * kMiB, 256 * kMiB, 1024 * kMiB};
  for (std::int64_t rows : {128, 4096, 16384}) {
    plan.elementwise.push_back({"rmsnorm", rows, kHiddenSize});
    plan.elementwise.push_back({"swiglu", rows, kExpertIntermediate});
    plan.elementwise.push_back({"fp8_quant_per_token_group", rows, kHiddenSize});
  }
  plan.warmup_iters = 5;
  plan.timed_iters = 25;
  return plan;
}

const std::vector<std::string>& table_names() {
  static const std::vector<std::string> names = {
      "dense_gemm",         "dense_gemm_fp8_per_tensor", "dense_gemm_bf16",
      "grouped_gemm_contiguous", "grouped_gemm_masked",   "mla_decode",
      "attention_prefill",  "hbm_copy",                  "elementwise"};
  return names;
}

bool is_table_name(const std::string& name) {
  const auto& names = table_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

double gemm_flops(const GemmShape& s) {
  return 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
}

double grouped_gemm_flops(const GroupedGemmShape& s) {
  return static_cast<double>(s.groups) * gemm_flops({s.m, s.n, s.k});
}

double gemm_bytes(const GemmShape& s, double ab_bytes_per_elem, double d_bytes_per_elem) {
  const double m = static_cast<double>(s.m), n = static_cast<double>(s.n),
               k = static_cast<double>(s.k);
  return (m * k + n * k) * ab_bytes_per_elem + m * n * d_bytes_per_elem;
}

double grouped_gemm_bytes(const GroupedGemmShape& s, double ab_bytes_per_elem,
                          double d_bytes_per_elem) {
  return static_cast<double>(s.groups) *
         gemm_bytes({s.m, s.n, s.k}, ab_bytes_per_elem, d_bytes_per_elem);
}

namespace {
constexpr double kBf16Bytes = 2.0;
constexpr double kFp8Bytes = 1.0;
constexpr double kFp32Bytes = 4.0;
constexpr double kQuantGroupChannels = 128.0;  // facts 2: per-token-per-128-channel scales
}  // namespace

double mla_decode_flops(const MlaDecodeShape& s) {
  return 2.0 * static_cast<double>(s.heads) * static_cast<double>(s.batch) *
         static_cast<double>(s.seqlen_k) * static_cast<double>(s.d_qk + s.d_v);
}

double mla_decode_bytes(const MlaDecodeShape& s) {
  const double b = static_cast<double>(s.batch), h = static_cast<double>(s.heads);
  const double kv = b * static_cast<double>(s.seqlen_k) * static_cast<double>(s.d_qk);
  const double q = b * h * static_cast<double>(s.d_qk);
  const double o = b * h * static_cast<double>(s.d_v);
  return (kv + q + o) * kBf16Bytes;
}

double prefill_attention_flops(const PrefillAttentionShape& s) {
  const double n = static_cast<double>(s.seqlen);
  const double pairs = n * (n + 1.0) / 2.0;
  return 2.0 * static_cast<double>(s.heads) * pairs * static_cast<double>(s.d_qk + s.d_v);
}

double prefill_attention_bytes(const PrefillAttentionShape& s) {
  const double th = static_cast<double>(s.seqlen) * static_cast<double>(s.heads);
  return th * static_cast<double>(2 * s.d_qk + 2 * s.d_v) * kBf16Bytes;
}

double elementwise_bytes(const ElementwiseShape& s) {
  const double r = static_cast<double>(s.rows), w = static_cast<double>(s.width);
  if (s.op == "rmsnorm") return (2.0 * r * w + w) * kBf16Bytes;
  if (s.op == "swiglu") return 3.0 * r * w * kBf16Bytes;
  if (s.op == "fp8_quant_per_token_group")
    return r * w * (kBf16Bytes + kFp8Bytes) + r * (w / kQuantGroupChannels) * kFp32Bytes;
  return 0.0;
}

int rotation_sets(double bytes_per_set, double l2_bytes, int max_sets) {
  if (bytes_per_set <= 0.0 || max_sets <= 1) return 1;
  const double wanted = std::ceil(2.0 * l2_bytes / bytes_per_set);
  return static_cast<int>(std::clamp(wanted, 1.0, static_cast<double>(max_sets)));
}

}  // namespace fleetsim::microbench
