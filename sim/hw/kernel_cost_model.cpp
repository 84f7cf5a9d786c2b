// Physical cost forms per operator class. GEMMs follow DeepGEMM's persistent kernel: each SM runs
// its tiles one after another, a tile streams K in BLOCK_K steps (tensor-core bound, or bound by
// the pipeline floor for thin tiles) then stores its BF16 output; the whole kernel also cannot beat
// HBM for its unique bytes, and the two are joined by a fitted p-norm (partial overlap).
#include "sim/hw/kernel_cost_model.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "sim/engine/portable_math.hpp"
#include "sim/engine/time.hpp"

namespace fleetsim {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// (a^p + b^p)^(1/p), stable for large p; p = 1 adds, p -> infinity takes the maximum.
double pnorm(double a, double b, double p) {
  const double hi = std::max(a, b), lo = std::min(a, b);
  if (hi <= 0) return 0;
  return hi * pmath::pow(1.0 + pmath::pow(lo / hi, p), 1.0 / p);
}

int effective_sms(const GpuSpec& gpu, int sms) { return sms > 0 ? sms : gpu.sm_count; }

}  // namespace

const char* to_string(Bound b) {
  switch (b) {
    case Bound::kCompute: return "compute";
    case Bound::kMemory: return "memory";
    case Bound::kLatency: return "latency";
  }
  return "?";
}

GemmTiling parse_gemm_tiling(const JsonReader& r) {
  r.only_keys({"source", "block_m_small", "small_m_max", "block_m", "block_n_min", "block_n_max",
               "block_n_step", "block_k_fp8", "block_k_bf16", "out_bytes_per_elem",
               "multicast_ways", "multicast_min_m"});
  GemmTiling t;
  t.block_m_small = r.positive_int32("block_m_small");
  t.small_m_max = r.positive_int32("small_m_max");
  t.block_m = r.positive_int32("block_m");
  t.block_n_min = r.positive_int32("block_n_min");
  t.block_n_max = r.positive_int32("block_n_max");
  t.block_n_step = r.positive_int32("block_n_step");
  t.block_k_fp8 = r.positive_int32("block_k_fp8");
  t.block_k_bf16 = r.positive_int32("block_k_bf16");
  t.out_bytes_per_elem = r.positive("out_bytes_per_elem");
  t.multicast_ways = r.positive_int32("multicast_ways");
  t.multicast_min_m = r.positive_int("multicast_min_m");
  if (t.block_n_max < t.block_n_min) r.fail_at("block_n_max", "an integer >= block_n_min");
  return t;
}

Json gemm_tiling_json(const GemmTiling& t) {
  return {{"block_m_small", t.block_m_small}, {"small_m_max", t.small_m_max},
          {"block_m", t.block_m},             {"block_n_min", t.block_n_min},
          {"block_n_max", t.block_n_max},     {"block_n_step", t.block_n_step},
          {"block_k_fp8", t.block_k_fp8},     {"block_k_bf16", t.block_k_bf16},
          {"out_bytes_per_elem", t.out_bytes_per_elem}, {"multicast_ways", t.multicast_ways},
          {"multicast_min_m", t.multicast_min_m}};
}

KernelModelParams parse_kernel_model(const HardwareSpec& hw) {
  const JsonReader root(hw.document, hw.file);
  if (!root.has("kernel_model")) {
    throw ConfigError(hw.file, "/kernel_model",
                      "missing: the \"calibrated\" layer cost model needs the fitted kernel model "
                      "(run `fleetsim calibrate fit` on this profile, or "
                      "`fleetsim calibrate fit`)");
  }
  const JsonReader k = root.at("kernel_model");
  k.only_keys({"source", "fitted_on", "fitted_by", "tiling", "gemm", "mla_decode",
               "attention_prefill", "elementwise", "fit_quality"});
  KernelModelParams p;
  p.tiling = parse_gemm_tiling(k.at("tiling"));
  const JsonReader g = k.at("gemm");
  g.only_keys({"compute_efficiency", "min_k_iteration_ns", "l2_bytes_per_s",
               "unaligned_n_overhead", "hbm_efficiency", "fixed_ns", "wave_latency_ns",
               "overlap_exponent"});
  // A kernel's efficiency is a share of the GPU's peak; see hardware_spec.hpp for the bounds.
  auto efficiency = [](const JsonReader& r, const char* key) { return r.number_in(key, kMinEfficiency, 1.0); };
  auto latency_ns = [](const JsonReader& r, const char* key) { return r.number_in(key, 0, kMaxLatencyNs); };
  p.gemm.compute_efficiency = efficiency(g, "compute_efficiency");
  p.gemm.min_k_iteration_ns = latency_ns(g, "min_k_iteration_ns");
  p.gemm.l2_bytes_per_s = g.number_in("l2_bytes_per_s", kMinBytesPerS, kMaxBytesPerS);
  p.gemm.unaligned_n_overhead = g.number_in("unaligned_n_overhead", 0, kMaxEfficiency);
  p.gemm.hbm_efficiency = efficiency(g, "hbm_efficiency");
  p.gemm.fixed_ns = latency_ns(g, "fixed_ns");
  p.gemm.wave_latency_ns = latency_ns(g, "wave_latency_ns");
  p.gemm.overlap_exponent = g.number_in("overlap_exponent", 1, kMaxEfficiency);
  const JsonReader m = k.at("mla_decode");
  m.only_keys({"compute_efficiency", "hbm_efficiency"});
  p.mla_compute_efficiency = efficiency(m, "compute_efficiency");
  p.mla_hbm_efficiency = efficiency(m, "hbm_efficiency");
  const JsonReader a = k.at("attention_prefill");
  a.only_keys({"compute_efficiency"});
  p.prefill_attention_compute_efficiency = efficiency(a, "compute_efficiency");
  const JsonReader e = k.at("elementwise");
  e.only_keys({"hbm_efficiency"});
  p.elementwise_hbm_efficiency = efficiency(e, "hbm_efficiency");
  return p;
}

namespace {
// Output rows of a GEMM over all its groups.
std::int64_t m_rows(const Operator& op) {
  if (op.group_m == nullptr)
    return std::max<std::int64_t>(1, op.groups) * std::max<std::int64_t>(0, op.m);
  std::int64_t rows = 0;
  for (std::int64_t g = 0; g < op.groups; ++g) rows += std::max<std::int64_t>(0, op.group_m[g]);
  return rows;
}
}  // namespace

GemmTileChoice choose_gemm_tiles(const GemmTiling& t, const Operator& op, int sms) {
  GemmTileChoice best;
  if (op.n <= 0 || op.k <= 0 || sms <= 0) return best;
  // The contiguous layout aligns every group to block_m rows; other layouts take the small tile
  // for thin M (the expected M per group, for masked layouts).
  const int bm = op.cls == OpClass::kGroupedGemmContiguous
                     ? t.block_m
                     : (op.m <= t.small_m_max ? t.block_m_small : t.block_m);
  std::int64_t m_blocks = 0, m_total = 0;
  if (op.group_m != nullptr) {
    for (std::int64_t g = 0; g < op.groups; ++g) {
      m_blocks += ceil_div(std::max<std::int64_t>(0, op.group_m[g]), bm);
      m_total += std::max<std::int64_t>(0, op.group_m[g]);
    }
  } else {
    m_blocks = std::max<std::int64_t>(1, op.groups) * ceil_div(std::max<std::int64_t>(0, op.m), bm);
    m_total = std::max<std::int64_t>(1, op.groups) * std::max<std::int64_t>(0, op.m);
  }
  if (m_blocks == 0) return best;
  std::int64_t best_util = -1;
  for (int bn = t.block_n_min; bn <= t.block_n_max; bn += t.block_n_step) {
    const std::int64_t tiles = m_blocks * ceil_div(op.n, bn);
    const std::int64_t waves = ceil_div(tiles, sms);
    const std::int64_t util = tiles % sms == 0 ? sms : tiles % sms;
    if (best_util < 0 || waves < best.waves || (waves == best.waves && util > best_util)) {
      best = {bm, bn, tiles, waves, 1};
      best_util = util;
    }
  }
  // The contiguous layout is one GEMM over the packed rows (one group to the heuristic).
  const bool one_group = op.cls == OpClass::kGroupedGemmContiguous || op.groups <= 1;
  const int ways = t.multicast_ways;
  if (ways > 1 && one_group && m_total >= t.multicast_min_m &&
      op.n % (static_cast<std::int64_t>(best.block_n) * ways) == 0 && sms % ways == 0) {
    best.multicast = ways;
  }
  return best;
}

KernelCostModel::KernelCostModel(const GpuSpec& gpu, const KernelModelParams& params)
    : gpu_(gpu), p_(params) {}

OpCost KernelCostModel::gemm(const Operator& op, int sms) const {
  // Only uniform shapes are memoised; uneven groups are costed as given every time.
  std::int64_t m = op.m;
  if (op.group_m != nullptr) {
    for (std::int64_t g = 0; g < op.groups; ++g) {
      if (op.group_m[g] != op.group_m[0]) return gemm_uncached(op, sms);
    }
    m = op.groups > 0 ? op.group_m[0] : 0;
  }
  const decltype(gemm_memo_)::Key key{
      static_cast<std::int64_t>(op.cls) * 4 + static_cast<std::int64_t>(op.precision),
      m, op.n, op.k, op.groups, sms, std::bit_cast<std::int64_t>(op.bytes)};
  return gemm_memo_.get(key, [&] { return gemm_uncached(op, sms); });
}

OpCost KernelCostModel::gemm_uncached(const Operator& op, int sms) const {
  OpCost c;
  const GemmTileChoice tc = choose_gemm_tiles(p_.tiling, op, sms);
  c.block_m = tc.block_m, c.block_n = tc.block_n, c.tiles = tc.tiles, c.waves = tc.waves;
  c.multicast = tc.multicast;
  if (tc.tiles == 0) return c;
  const bool fp8 = op.precision == OpPrecision::kFp8;
  const double peak_per_sm =
      (fp8 ? gpu_.fp8_flops_per_s : gpu_.bf16_flops_per_s) / gpu_.sm_count;
  const int bk = fp8 ? p_.tiling.block_k_fp8 : p_.tiling.block_k_bf16;
  const double k_iters = static_cast<double>(ceil_div(op.k, bk));
  const double unaligned = bk % tc.block_n != 0 ? 1.0 + p_.gemm.unaligned_n_overhead : 1.0;
  const double iter_compute_s =
      unaligned * 2.0 * tc.block_m * tc.block_n * bk / (peak_per_sm * p_.gemm.compute_efficiency);
  const double active = static_cast<double>(std::min<std::int64_t>(tc.tiles, sms));
  // Every active SM pulls its A and B k-block through L2 each step (A shared by the multicast
  // cluster); thin tiles pay this per FLOP.
  const double ab = fp8 ? 1.0 : 2.0;
  const double iter_l2_s = (static_cast<double>(tc.block_m) / tc.multicast + tc.block_n) * bk * ab *
                           active / p_.gemm.l2_bytes_per_s;
  const double iter_floor_s = std::max(p_.gemm.min_k_iteration_ns * 1e-9, iter_l2_s);
  const double iter_s = std::max(iter_compute_s, iter_floor_s);
  c.compute_s = static_cast<double>(tc.waves) * k_iters * iter_s;
  // HBM: A and B stream in under the main loops (each wave refilling its pipeline), while the
  // output D is stored after each tile's main loop. The SMs run their tiles in step, so the
  // stores of a wave coincide and the whole output's store time adds to the kernel rather than
  // hiding under compute.
  const double bw = gpu_.hbm_bytes_per_s * p_.gemm.hbm_efficiency;
  const double d_bytes =
      static_cast<double>(m_rows(op)) * static_cast<double>(op.n) * p_.tiling.out_bytes_per_elem;
  const double load_s = std::max(0.0, op.bytes - d_bytes) / bw +
                        static_cast<double>(tc.waves) * p_.gemm.wave_latency_ns * 1e-9;
  const double store_s = d_bytes / bw;
  c.memory_s = load_s + store_s;
  const double fixed_s = p_.gemm.fixed_ns * 1e-9;
  c.time_s = fixed_s + pnorm(c.compute_s, load_s, p_.gemm.overlap_exponent) + store_s;
  if (fixed_s >= std::max(c.compute_s, c.memory_s)) {
    c.bound = Bound::kLatency;
  } else if (c.memory_s > c.compute_s) {
    c.bound = Bound::kMemory;
  } else {
    c.bound = iter_floor_s > iter_compute_s ? Bound::kLatency : Bound::kCompute;
  }
  return c;
}

OpCost KernelCostModel::cost(const Operator& op, int sms_in) const {
  const int sms = effective_sms(gpu_, sms_in);
  const double sm_share = static_cast<double>(sms) / gpu_.sm_count;
  const double fixed_s = p_.gemm.fixed_ns * 1e-9;
  OpCost c;
  switch (op.cls) {
    case OpClass::kDenseGemm:
    case OpClass::kGroupedGemmContiguous:
    case OpClass::kGroupedGemmMasked:
    case OpClass::kBatchedGemm:
      return gemm(op, sms);
    case OpClass::kMlaDecode:
      // FlashMLA splits the KV sequence over all SMs, so there is no wave tail worth modelling.
      c.compute_s = op.flops / (gpu_.bf16_flops_per_s * p_.mla_compute_efficiency * sm_share);
      c.memory_s = op.bytes / (gpu_.hbm_bytes_per_s * p_.mla_hbm_efficiency);
      break;
    case OpClass::kAttentionPrefill:
      c.compute_s =
          op.flops / (gpu_.bf16_flops_per_s * p_.prefill_attention_compute_efficiency * sm_share);
      c.memory_s = op.bytes / (gpu_.hbm_bytes_per_s * p_.elementwise_hbm_efficiency);
      break;
    case OpClass::kElementwise:
      c.memory_s = op.bytes / (gpu_.hbm_bytes_per_s * p_.elementwise_hbm_efficiency);
      break;
  }
  if (c.compute_s <= 0 && c.memory_s <= 0) return c;
  c.time_s = fixed_s + std::max(c.compute_s, c.memory_s);
  c.bound = fixed_s >= std::max(c.compute_s, c.memory_s)
                ? Bound::kLatency
                : (c.compute_s >= c.memory_s ? Bound::kCompute : Bound::kMemory);
  return c;
}

namespace {

// Sums operator times per stage without allocating.
class StageSink final : public OperatorSink {
 public:
  StageSink(const KernelCostModel& k, int sms) : k_(k), sms_(sms) {}
  void on(const Operator& op) override {
    const double t = k_.cost(op, sms_).time_s;
    switch (op.stage) {
      case OpStage::kAttn0: attn0_s += t; break;
      case OpStage::kAttn1: attn1_s += t; break;
      case OpStage::kShared: shared_s += t; break;
      case OpStage::kMlp: mlp_s += t; break;
      case OpStage::kStep: step_s += t; break;
    }
  }
  double attn0_s = 0, attn1_s = 0, shared_s = 0, mlp_s = 0, step_s = 0;

 private:
  const KernelCostModel& k_;
  int sms_;
};

class ExplainSink final : public OperatorSink {
 public:
  ExplainSink(const KernelCostModel& k, int sms, std::vector<ExplainRow>& rows)
      : k_(k), sms_(sms), rows_(rows) {}
  void on(const Operator& op) override {
    const OpCost c = k_.cost(op, sms_);
    ExplainRow r;
    r.name = op.mtp && std::string(op.name).rfind("mtp_", 0) != 0 ? std::string("mtp.") + op.name
                                                                   : op.name;
    r.stage = to_string(op.stage);
    r.op_class = to_string(op.cls);
    r.precision = to_string(op.precision);
    r.bound = to_string(c.bound);
    r.mtp = op.mtp;
    r.m = op.m, r.n = op.n, r.k = op.k, r.groups = op.groups;
    r.flops = op.flops, r.bytes = op.bytes;
    r.time_ns = seconds_to_ns(c.time_s);
    r.block_m = c.block_m, r.block_n = c.block_n, r.waves = c.waves;
    rows_.push_back(std::move(r));
  }

 private:
  const KernelCostModel& k_;
  int sms_;
  std::vector<ExplainRow>& rows_;
};

}  // namespace

CalibratedLayerCostModel::CalibratedLayerCostModel(const ModelSpec& model, const HardwareSpec& hw)
    : CalibratedLayerCostModel(model, hw.gpu, parse_kernel_model(hw)) {}

CalibratedLayerCostModel::CalibratedLayerCostModel(const ModelSpec& model, const GpuSpec& gpu,
                                                   const KernelModelParams& params)
    : shapes_(model), kernels_(gpu, params) {}

LayerStageTimes CalibratedLayerCostModel::attention_stages(Phase phase, bool moe_layer,
                                                           const RankBatch& batch,
                                                           SmSplit sms) const {
  StageSink sink(kernels_, sms.compute_sms);
  enumerate_attention_operators(shapes_, phase, moe_layer, batch, sink);
  LayerStageTimes out;
  out.attn0_ns = seconds_to_ns(sink.attn0_s);
  out.attn1_ns = seconds_to_ns(sink.attn1_s);
  out.attn_ns = out.attn0_ns + out.attn1_ns;
  out.shared_ns = seconds_to_ns(sink.shared_s);
  return out;
}

std::int64_t CalibratedLayerCostModel::routed_experts_ns(Phase phase, const ExpertWork& experts,
                                                         SmSplit sms) const {
  StageSink sink(kernels_, sms.compute_sms);
  enumerate_routed_operators(shapes_, phase, experts, sink);
  return seconds_to_ns(sink.mlp_s);
}

std::int64_t CalibratedLayerCostModel::step_overhead_ns(Phase phase, const RankBatch& batch,
                                                        std::int64_t logit_tokens,
                                                        SmSplit sms) const {
  StageSink sink(kernels_, sms.compute_sms);
  enumerate_step_operators(shapes_, phase, batch, logit_tokens, sink);
  return seconds_to_ns(sink.attn0_s + sink.attn1_s + sink.shared_s + sink.mlp_s + sink.step_s);
}

std::vector<ExplainRow> explain_step(const ModelSpec& model, const HardwareSpec& hw, Phase phase,
                                     const RankBatch& batch, const ExpertWork& experts,
                                     SmSplit sms, bool moe_layer, std::int64_t logit_tokens) {
  const CalibratedLayerCostModel m(model, hw);
  std::vector<ExplainRow> rows;
  ExplainSink sink(m.kernels(), sms.compute_sms, rows);
  enumerate_layer_operators(m.shapes(), phase, moe_layer, batch, experts, sink);
  enumerate_step_operators(m.shapes(), phase, batch,
                           logit_tokens >= 0 ? logit_tokens : batch.sequences, sink);
  return rows;
}

void register_calibrated_cost_model(LayerCostModelRegistry& layers) {
  layers.add({"calibrated",
              "operator-level model fitted to published H800 kernel benchmarks (DeepGEMM, "
              "FlashMLA): tile/wave quantisation, fitted rooflines; needs the profile's "
              "kernel_model",
              {},
              [](const Params&, const ModelSpec& m, const HardwareSpec& h) {
                return std::make_unique<CalibratedLayerCostModel>(m, h);
              }});
}

}  // namespace fleetsim
