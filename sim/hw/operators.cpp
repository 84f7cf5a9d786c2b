// Operator lists of DeepSeek-V3-style layers (MLA + MoE), following the kernels DeepSeek's
// inference system runs: DeepGEMM FP8 projections and grouped expert GEMMs, FlashMLA decode,
// absorbed W_UK / W_UV as per-head BF16 GEMMs in decode, and the memory-bound glue between them.
#include "sim/hw/operators.hpp"

namespace fleetsim {

const char* to_string(OpClass c) {
  switch (c) {
    case OpClass::kDenseGemm: return "dense_gemm";
    case OpClass::kGroupedGemmContiguous: return "grouped_gemm_contiguous";
    case OpClass::kGroupedGemmMasked: return "grouped_gemm_masked";
    case OpClass::kBatchedGemm: return "batched_gemm";
    case OpClass::kMlaDecode: return "mla_decode";
    case OpClass::kAttentionPrefill: return "attention_prefill";
    case OpClass::kElementwise: return "elementwise";
  }
  return "?";
}

const char* to_string(OpStage s) {
  switch (s) {
    case OpStage::kAttn0: return "attn0";
    case OpStage::kAttn1: return "attn1";
    case OpStage::kShared: return "shared";
    case OpStage::kMlp: return "mlp";
    case OpStage::kStep: return "step";
  }
  return "?";
}

const char* to_string(OpPrecision p) { return p == OpPrecision::kFp8 ? "fp8" : "bf16"; }

double gemm_flops(double m, double n, double k, double groups) { return 2.0 * groups * m * n * k; }

double gemm_bytes(double m, double n, double k, double groups, double ab_bytes_per_elem,
                  double out_bytes_per_elem) {
  return groups * ((m * k + k * n) * ab_bytes_per_elem + m * n * out_bytes_per_elem);
}

ModelShapes::ModelShapes(const ModelSpec& m)
    : hidden(m.hidden_size),
      heads(m.attention.num_heads),
      q_lora(m.attention.q_lora_rank),
      kv_lora(m.attention.kv_lora_rank),
      qk_nope(m.attention.qk_nope_head_dim),
      qk_rope(m.attention.qk_rope_head_dim),
      v_head(m.attention.v_head_dim),
      dense_inter(m.dense_intermediate_size),
      expert_inter(m.moe.expert_intermediate_size),
      shared_experts(m.moe.num_shared_experts),
      routed_experts(m.moe.num_routed_experts),
      top_k(m.moe.top_k),
      vocab(m.vocab_size),
      mtp_layers(m.mtp_layers),
      kv_cache_bytes_per_elem(m.precision.kv_cache_bytes_per_elem) {}

namespace {

// Bytes per element of the data types the kernels move.
constexpr double kFp8Bytes = 1;
constexpr double kBf16Bytes = 2;

double ab_bytes(OpPrecision p) { return p == OpPrecision::kFp8 ? kFp8Bytes : kBf16Bytes; }

Operator dense(const char* name, OpStage st, OpPrecision p, std::int64_t m, std::int64_t n,
               std::int64_t k) {
  Operator op;
  op.name = name;
  op.cls = OpClass::kDenseGemm;
  op.stage = st;
  op.precision = p;
  op.m = m, op.n = n, op.k = k, op.groups = 1;
  op.flops = gemm_flops(m, n, k);
  op.bytes = gemm_bytes(m, n, k, 1, ab_bytes(p));
  return op;
}

Operator batched(const char* name, OpStage st, std::int64_t groups, std::int64_t m, std::int64_t n,
                 std::int64_t k) {
  Operator op = dense(name, st, OpPrecision::kBf16, m, n, k);
  op.cls = OpClass::kBatchedGemm;
  op.groups = groups;
  op.flops = gemm_flops(m, n, k, groups);
  op.bytes = gemm_bytes(m, n, k, groups, kBf16Bytes);
  return op;
}

Operator elementwise(const char* name, OpStage st, double bytes) {
  Operator op;
  op.name = name;
  op.cls = OpClass::kElementwise;
  op.stage = st;
  op.precision = OpPrecision::kBf16;
  op.bytes = bytes;
  return op;
}

// Routed experts: either explicit per-slot counts or `groups` groups of `uniform_m` tokens.
struct RoutedGroups {
  const std::int64_t* m = nullptr;
  std::int64_t count = 0;
  std::int64_t uniform_m = 0;
};

Operator grouped(const char* name, OpClass cls, const RoutedGroups& g, std::int64_t n,
                 std::int64_t k) {
  Operator op;
  op.name = name;
  op.cls = cls;
  op.stage = OpStage::kMlp;
  op.precision = OpPrecision::kFp8;
  op.n = n, op.k = k, op.groups = g.count;
  if (g.m == nullptr) {
    op.m = g.uniform_m;
    op.flops = gemm_flops(g.uniform_m, n, k, g.count);
    op.bytes = g.uniform_m > 0 ? gemm_bytes(g.uniform_m, n, k, g.count, kFp8Bytes) : 0;
    return op;
  }
  op.group_m = g.m;
  std::int64_t total = 0, used = 0;
  for (std::int64_t i = 0; i < g.count; ++i) {
    const std::int64_t mi = g.m[i];
    if (mi <= 0) continue;  // an empty slot launches no tiles and reads no weights
    total += mi;
    ++used;
    op.flops += gemm_flops(mi, n, k);
    op.bytes += gemm_bytes(mi, n, k, 1, kFp8Bytes);
  }
  op.m = used > 0 ? (total + used - 1) / used : 0;
  return op;
}

// ATTN-0, ATTN-1 and SHARED: the operators that depend on the rank's batch alone.
void emit_attention_shared(const ModelShapes& s, Phase phase, bool moe, const RankBatch& b,
                           OperatorSink& sink) {
  const std::int64_t T = b.tokens;
  if (T <= 0) return;
  const double t = static_cast<double>(T), H = static_cast<double>(s.hidden);
  const bool prefill = phase == Phase::kPrefill;
  const std::int64_t qk_head = s.qk_nope + s.qk_rope;
  const std::int64_t latent = s.kv_lora + s.qk_rope;  // cached elements per token (d_k of MLA)
  const double heads = static_cast<double>(s.heads);

  // ATTN-0: projections before core attention. Norm outputs are FP8 where a DeepGEMM consumes them.
  sink.on(elementwise("attn_norm", OpStage::kAttn0, t * H * (kBf16Bytes + kFp8Bytes)));
  sink.on(dense("q_a_kv_a_proj", OpStage::kAttn0, OpPrecision::kFp8, T, s.q_lora + latent,
                s.hidden));
  const double kv_norm_out = prefill ? kFp8Bytes : kBf16Bytes;
  sink.on(elementwise("q_a_kv_a_norm", OpStage::kAttn0,
                      t * (s.q_lora * (kBf16Bytes + kFp8Bytes) +
                           s.kv_lora * (kBf16Bytes + kv_norm_out))));
  sink.on(dense("q_b_proj", OpStage::kAttn0, OpPrecision::kFp8, T, s.heads * qk_head, s.q_lora));
  if (prefill) {
    sink.on(dense("kv_b_proj", OpStage::kAttn0, OpPrecision::kFp8, T, s.heads * (s.qk_nope + s.v_head),
                  s.kv_lora));
  } else {
    sink.on(batched("q_nope_absorb_w_uk", OpStage::kAttn0, s.heads, T, s.kv_lora, s.qk_nope));
  }
  // RoPE on q_pe and k_pe (read + write), and the latent written to the KV cache.
  sink.on(elementwise("rope_kv_store", OpStage::kAttn0,
                      t * (heads * s.qk_rope + s.qk_rope) * 2 * kBf16Bytes +
                          t * latent * s.kv_cache_bytes_per_elem));

  // ATTN-1: core attention, output projection, routing gate.
  Operator core;
  core.stage = OpStage::kAttn1;
  core.precision = OpPrecision::kBf16;
  core.m = T;
  core.groups = s.heads;
  if (prefill) {
    core.name = "attention_prefill";
    core.cls = OpClass::kAttentionPrefill;
    core.k = qk_head;
    core.n = s.v_head;
    core.flops = 2.0 * b.attended_pairs * heads * static_cast<double>(qk_head + s.v_head);
    core.bytes = t * heads * static_cast<double>(2 * qk_head + 2 * s.v_head) * kBf16Bytes;
  } else {
    core.name = "mla_decode";
    core.cls = OpClass::kMlaDecode;
    core.k = latent;
    core.n = s.kv_lora;
    core.flops = 2.0 * b.attended_pairs * heads * static_cast<double>(latent + s.kv_lora);
    core.bytes = b.kv_tokens_read * latent * s.kv_cache_bytes_per_elem +
                 t * heads * static_cast<double>(latent + s.kv_lora) * kBf16Bytes;
  }
  sink.on(core);
  if (!prefill) sink.on(batched("out_absorb_w_uv", OpStage::kAttn1, s.heads, T, s.v_head, s.kv_lora));
  sink.on(elementwise("o_proj_quant", OpStage::kAttn1,
                      t * heads * s.v_head * (kBf16Bytes + kFp8Bytes)));
  sink.on(dense("o_proj", OpStage::kAttn1, OpPrecision::kFp8, T, s.hidden, s.heads * s.v_head));
  // Residual add + RMSNorm: read residual and o_proj output, write residual (BF16) and FP8 input.
  sink.on(elementwise("ffn_norm", OpStage::kAttn1, t * H * (3 * kBf16Bytes + kFp8Bytes)));
  if (moe) sink.on(dense("router_gate", OpStage::kAttn1, OpPrecision::kBf16, T, s.routed_experts, s.hidden));

  // SHARED: the shared expert (MoE layer) or the dense FFN.
  const std::int64_t inter = moe ? s.expert_inter * s.shared_experts : s.dense_inter;
  if (inter > 0) {
    sink.on(dense(moe ? "shared_gate_up" : "ffn_gate_up", OpStage::kShared, OpPrecision::kFp8, T,
                  2 * inter, s.hidden));
    sink.on(elementwise(moe ? "shared_swiglu" : "ffn_swiglu", OpStage::kShared,
                        t * inter * (2 * kBf16Bytes + kFp8Bytes)));
    sink.on(dense(moe ? "shared_down" : "ffn_down", OpStage::kShared, OpPrecision::kFp8, T,
                  s.hidden, inter));
  }
}

// MLP: routed experts as grouped GEMMs over the GPU's expert slots; they depend on the routed
// work alone.
void emit_routed(const ModelShapes& s, Phase phase, const RoutedGroups& routed, OperatorSink& sink) {
  const bool prefill = phase == Phase::kPrefill;
  std::int64_t routed_tokens = 0;
  if (routed.m == nullptr) {
    routed_tokens = routed.uniform_m * routed.count;
  } else {
    for (std::int64_t i = 0; i < routed.count; ++i) routed_tokens += routed.m[i];
  }
  if (routed_tokens <= 0) return;
  const OpClass gcls = prefill ? OpClass::kGroupedGemmContiguous : OpClass::kGroupedGemmMasked;
  sink.on(grouped("experts_gate_up", gcls, routed, 2 * s.expert_inter, s.hidden));
  sink.on(elementwise("experts_swiglu", OpStage::kMlp,
                      static_cast<double>(routed_tokens) * s.expert_inter *
                          (2 * kBf16Bytes + kFp8Bytes)));
  sink.on(grouped("experts_down", gcls, routed, s.hidden, s.expert_inter));
}

// A whole layer, in the order the GPU runs it. An empty batch runs nothing, routed work included.
void emit_layer(const ModelShapes& s, Phase phase, bool moe, const RankBatch& b,
                const RoutedGroups& routed, OperatorSink& sink) {
  if (b.tokens <= 0) return;
  emit_attention_shared(s, phase, moe, b, sink);
  if (moe) emit_routed(s, phase, routed, sink);
}

RoutedGroups groups_of(const ExpertWork& experts) {
  RoutedGroups g;
  g.m = experts.tokens_per_slot.data();
  g.count = static_cast<std::int64_t>(experts.tokens_per_slot.size());
  return g;
}

// Re-tags the operators of the MTP block as once-per-step work.
class MtpSink final : public OperatorSink {
 public:
  explicit MtpSink(OperatorSink& inner) : inner_(inner) {}
  void on(const Operator& op) override {
    Operator o = op;
    o.stage = OpStage::kStep;
    o.mtp = true;
    inner_.on(o);
  }

 private:
  OperatorSink& inner_;
};

class VectorSink final : public OperatorSink {
 public:
  void on(const Operator& op) override { ops.push_back(op); }
  std::vector<Operator> ops;
};

}  // namespace

void enumerate_layer_operators(const ModelShapes& s, Phase phase, bool moe_layer,
                               const RankBatch& batch, const ExpertWork& experts,
                               OperatorSink& sink) {
  emit_layer(s, phase, moe_layer, batch, groups_of(experts), sink);
}

void enumerate_attention_operators(const ModelShapes& s, Phase phase, bool moe_layer,
                                   const RankBatch& batch, OperatorSink& sink) {
  emit_attention_shared(s, phase, moe_layer, batch, sink);
}

void enumerate_routed_operators(const ModelShapes& s, Phase phase, const ExpertWork& experts,
                                OperatorSink& sink) {
  emit_routed(s, phase, groups_of(experts), sink);
}

void enumerate_step_operators(const ModelShapes& s, Phase phase, const RankBatch& batch,
                              std::int64_t logit_tokens, OperatorSink& sink) {
  const std::int64_t T = batch.tokens;
  const double t = static_cast<double>(T), H = static_cast<double>(s.hidden);
  const double logits = static_cast<double>(logit_tokens);
  if (T > 0) sink.on(elementwise("embedding", OpStage::kStep, t * H * 2 * kBf16Bytes));
  if (logit_tokens > 0) {
    sink.on(elementwise("final_norm", OpStage::kStep, logits * H * 2 * kBf16Bytes));
    sink.on(dense("lm_head", OpStage::kStep, OpPrecision::kBf16, logit_tokens, s.vocab, s.hidden));
  }
  if (T <= 0) return;
  MtpSink mtp(sink);
  for (std::int64_t layer = 0; layer < s.mtp_layers; ++layer) {
    // Embedding of the shifted tokens, two RMSNorms and the [h; e] concatenation, eh_proj.
    mtp.on(elementwise("mtp_embedding", OpStage::kStep, t * H * 2 * kBf16Bytes));
    mtp.on(elementwise("mtp_norms_concat", OpStage::kStep, t * H * 2 * 2 * kBf16Bytes));
    mtp.on(dense("mtp_eh_proj", OpStage::kStep, OpPrecision::kBf16, T, s.hidden, 2 * s.hidden));
    RoutedGroups g;
    g.count = s.top_k;
    g.uniform_m = T;
    emit_layer(s, phase, true, batch, g, mtp);
    if (logit_tokens > 0) {
      mtp.on(elementwise("mtp_final_norm", OpStage::kStep, logits * H * 2 * kBf16Bytes));
      mtp.on(dense("mtp_lm_head", OpStage::kStep, OpPrecision::kBf16, logit_tokens, s.vocab,
                   s.hidden));
    }
  }
}

std::vector<Operator> layer_operators(const ModelShapes& s, Phase phase, bool moe_layer,
                                      const RankBatch& batch, const ExpertWork& experts) {
  VectorSink v;
  enumerate_layer_operators(s, phase, moe_layer, batch, experts, v);
  return std::move(v.ops);
}

std::vector<Operator> step_operators(const ModelShapes& s, Phase phase, const RankBatch& batch,
                                     std::int64_t logit_tokens) {
  VectorSink v;
  enumerate_step_operators(s, phase, batch, logit_tokens, v);
  return std::move(v.ops);
}

}  // namespace fleetsim
