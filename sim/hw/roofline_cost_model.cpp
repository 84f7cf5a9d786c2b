// The closed-form tier: every operator at the roofline of the GPU's peak compute and HBM
// bandwidth, all-to-all at the NIC/NVLink bandwidth with no contention. Coarse, fast, and a
// bound the calibrated models should never beat.
#include <algorithm>
#include <cmath>

#include "sim/engine/time.hpp"
#include "sim/hw/cost_model_registry.hpp"

namespace fleetsim {

namespace {

class RooflineLayerCost final : public LayerCostModel {
 public:
  RooflineLayerCost(const ModelSpec& m, const HardwareSpec& h) : m_(m), h_(h) {}
  std::string name() const override { return "roofline"; }

  LayerStageTimes attention_stages(Phase phase, bool moe_layer, const RankBatch& b,
                                   SmSplit sms) const override {
    const double share = static_cast<double>(sms.compute_sms) / h_.gpu.sm_count;
    const auto& a = m_.attention;
    const double H = m_.hidden_size, T = static_cast<double>(b.tokens);
    const double wb = m_.precision.weight_bytes_per_param;
    const double nh = a.num_heads;
    // Projections (FP8 GEMMs): weights read once, activations small next to them at decode.
    double attn0 = gemm(T, H, a.q_lora_rank + a.kv_lora_rank + a.qk_rope_head_dim, wb, share) +
                   gemm(T, a.q_lora_rank, nh * a.qk_head_dim(), wb, share);
    double core = 0, kv_bytes = 0;
    if (phase == Phase::kPrefill) {
      attn0 += gemm(T, a.kv_lora_rank, nh * (a.qk_nope_head_dim + a.v_head_dim), wb, share);
      core = 2.0 * b.attended_pairs * nh * (a.qk_head_dim() + a.v_head_dim);
    } else {
      // Absorbed MLA: q_nope x W_UK and the output x W_UV are per-head batched GEMMs.
      attn0 += gemm(T, nh * a.qk_nope_head_dim, a.kv_lora_rank, 2.0, share);
      const double d_k = a.kv_cache_elems_per_layer(), d_v = a.kv_lora_rank;
      core = 2.0 * b.attended_pairs * nh * (d_k + d_v);
      kv_bytes = b.kv_tokens_read * d_k * m_.precision.kv_cache_bytes_per_elem;
    }
    const double core_s = std::max(core / (h_.gpu.bf16_practical_flops_per_s * share),
                                   kv_bytes / h_.gpu.hbm_bytes_per_s);
    double attn1 = core_s + gemm(T, nh * a.v_head_dim, H, wb, share);
    if (phase == Phase::kDecode) attn1 += gemm(T, a.kv_lora_rank, nh * a.v_head_dim, 2.0, share);
    if (moe_layer) attn1 += gemm(T, H, m_.moe.num_routed_experts, 4.0, share);

    LayerStageTimes out;
    out.attn0_ns = seconds_to_ns(attn0);
    out.attn1_ns = seconds_to_ns(attn1);
    out.attn_ns = out.attn0_ns + out.attn1_ns;
    const double I = moe_layer ? m_.moe.expert_intermediate_size * m_.moe.num_shared_experts
                               : m_.dense_intermediate_size;
    out.shared_ns = seconds_to_ns(gemm(T, H, 2 * I, wb, share) + gemm(T, I, H, wb, share));
    return out;
  }

  std::int64_t routed_experts_ns(Phase, const ExpertWork& ex, SmSplit sms) const override {
    const double share = static_cast<double>(sms.compute_sms) / h_.gpu.sm_count;
    const double H = m_.hidden_size, wb = m_.precision.weight_bytes_per_param;
    double mlp = 0;
    for (auto t : ex.tokens_per_slot) {
      const double tt = static_cast<double>(t);
      if (t > 0) mlp += gemm(tt, H, 2.0 * m_.moe.expert_intermediate_size, wb, share) +
                        gemm(tt, m_.moe.expert_intermediate_size, H, wb, share);
    }
    return seconds_to_ns(mlp);
  }

  std::int64_t step_overhead_ns(Phase, const RankBatch& b, std::int64_t logit_tokens,
                                SmSplit sms) const override {
    const double share = static_cast<double>(sms.compute_sms) / h_.gpu.sm_count;
    // LM head in BF16 over the vocabulary for the tokens that need logits.
    return seconds_to_ns(gemm(static_cast<double>(logit_tokens), m_.hidden_size, m_.vocab_size,
                              2.0, share) +
                         static_cast<double>(b.tokens) * m_.hidden_size * 2.0 /
                             h_.gpu.hbm_bytes_per_s);
  }

 private:
  // An [M,K] x [K,N] GEMM at the roofline: FP8 peak when weights are 1 B, BF16 otherwise.
  double gemm(double M, double K, double N, double weight_bytes, double share) const {
    if (M <= 0) return 0;
    const double peak = weight_bytes <= 1.0 ? h_.gpu.fp8_flops_per_s : h_.gpu.bf16_flops_per_s;
    const double flops = 2.0 * M * N * K;
    const double bytes = K * N * weight_bytes + M * K * weight_bytes + M * N * 2.0;
    return std::max(flops / (peak * share), bytes / h_.gpu.hbm_bytes_per_s);
  }
  const ModelSpec& m_;
  const HardwareSpec& h_;
};

class RooflineCommCost final : public CommCostModel {
 public:
  RooflineCommCost(const ModelSpec&, const HardwareSpec& h) : h_(h) {}
  std::string name() const override { return "roofline"; }
  std::int64_t all_to_all_ns(const AllToAllTraffic& t, A2aKind, A2aMode, int) const override {
    // Each GPU sends its off-node bytes over its NIC and on-node bytes over NVLink, in parallel;
    // the all-to-all ends when the busiest sender or receiver is done.
    const int g = h_.gpus_per_node;
    double worst = 0;
    for (int i = 0; i < t.num_gpus; ++i) {
      double out_ib = 0, out_nvl = 0, in_ib = 0, in_nvl = 0;
      for (int j = 0; j < t.num_gpus; ++j) {
        if (i == j) continue;
        const bool same_node = i / g == j / g;
        (same_node ? out_nvl : out_ib) += t.at(i, j);
        (same_node ? in_nvl : in_ib) += t.at(j, i);
      }
      worst = std::max({worst, out_ib / h_.nic_bytes_per_s, in_ib / h_.nic_bytes_per_s,
                        out_nvl / h_.nvlink_bytes_per_s, in_nvl / h_.nvlink_bytes_per_s});
    }
    return seconds_to_ns(worst);
  }
  std::int64_t kv_transfer_ns(double bytes) const override {
    return transfer_time_ns(bytes, h_.nic_bytes_per_s);
  }

 private:
  const HardwareSpec& h_;
};

}  // namespace

void register_roofline_cost_models(LayerCostModelRegistry& layers, CommCostModelRegistry& comm) {
  layers.add({"roofline", "every operator at the roofline of peak compute and HBM bandwidth", {},
              [](const Params&, const ModelSpec& m, const HardwareSpec& h) {
                return std::make_unique<RooflineLayerCost>(m, h);
              }});
  comm.add({"roofline", "all-to-all at NIC / NVLink bandwidth per GPU, no contention, no latency",
            {},
            [](const Params&, const ModelSpec& m, const HardwareSpec& h) {
              return std::make_unique<RooflineCommCost>(m, h);
            }});
}

}  // namespace fleetsim
