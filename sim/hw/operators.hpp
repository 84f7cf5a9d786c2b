// The operators (kernels) one GPU runs for a microbatch of a DeepSeek-V3-style layer, and once per
// step, with their shapes, FLOPs and bytes derived from the ModelSpec and the RankBatch/ExpertWork.
// Enumeration pushes into a sink so the simulator's hot path allocates nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/hw/step_shape.hpp"
#include "sim/spec/model_spec.hpp"

namespace fleetsim {

enum class OpClass : std::uint8_t {
  kDenseGemm,              // [M,K] x [K,N], DeepGEMM normal kernel (FP8) or a BF16 GEMM
  kGroupedGemmContiguous,  // one GEMM per expert slot, rows packed contiguously (prefill)
  kGroupedGemmMasked,      // one GEMM per expert slot, padded tensor + per-slot counts (decode)
  kBatchedGemm,            // the same-M GEMM for each of `groups` heads (absorbed MLA, BF16)
  kMlaDecode,              // FlashMLA-style decode attention over the compressed KV cache
  kAttentionPrefill,       // causal attention over uncompressed per-head K/V (prefill)
  kElementwise,            // memory-bound: norms, activation, quantisation, RoPE, embedding
};

// The published overlap stages (Day-6 figures) an operator belongs to; kStep = once per step.
enum class OpStage : std::uint8_t { kAttn0, kAttn1, kShared, kMlp, kStep };

enum class OpPrecision : std::uint8_t { kFp8, kBf16 };

const char* to_string(OpClass c);
const char* to_string(OpStage s);
const char* to_string(OpPrecision p);

struct Operator {
  const char* name = "";
  OpClass cls = OpClass::kElementwise;
  OpStage stage = OpStage::kAttn0;
  OpPrecision precision = OpPrecision::kBf16;
  bool mtp = false;  // part of the multi-token-prediction module (step overhead)
  // GEMMs: per-group M (the uniform value, or the mean over non-empty groups when `group_m` is
  // set), N, K and the number of groups (1 for dense).
  std::int64_t m = 0, n = 0, k = 0, groups = 1;
  // Grouped GEMMs with uneven groups: `groups` token counts (not owned; valid during the call).
  const std::int64_t* group_m = nullptr;
  double flops = 0;
  double bytes = 0;  // unique HBM bytes: inputs read once, outputs written once
};

// The model dimensions the operator list needs, taken once from a ModelSpec.
struct ModelShapes {
  std::int64_t hidden = 0, heads = 0, q_lora = 0, kv_lora = 0, qk_nope = 0, qk_rope = 0, v_head = 0;
  std::int64_t dense_inter = 0, expert_inter = 0, shared_experts = 0, routed_experts = 0, top_k = 0;
  std::int64_t vocab = 0, mtp_layers = 0;
  double kv_cache_bytes_per_elem = 2;
  explicit ModelShapes(const ModelSpec& m);
  ModelShapes() = default;
};

// Receives operators one by one (no allocation on the enumeration path).
class OperatorSink {
 public:
  virtual void on(const Operator& op) = 0;

 protected:
  ~OperatorSink() = default;
};

// One dense or MoE layer for one microbatch on one GPU (nothing for an empty batch).
void enumerate_layer_operators(const ModelShapes& s, Phase phase, bool moe_layer,
                               const RankBatch& batch, const ExpertWork& experts,
                               OperatorSink& sink);
// The same layer in two parts: the ATTN-0, ATTN-1 and SHARED stages, which depend on the rank's
// batch alone, and the MLP stage (the routed experts of an MoE layer), which depends on the GPU's
// routed work alone. Together, for a non-empty batch, they are enumerate_layer_operators.
void enumerate_attention_operators(const ModelShapes& s, Phase phase, bool moe_layer,
                                   const RankBatch& batch, OperatorSink& sink);
void enumerate_routed_operators(const ModelShapes& s, Phase phase, const ExpertWork& experts,
                                OperatorSink& sink);

// Once per step: embedding, final norm and LM head for `logit_tokens`, and (mtp_layers > 0) the MTP
// module: its embedding/norms/eh_proj, one MoE transformer block whose routed work is taken as the
// tokens' top-k activations served locally in top_k even groups (the module's own routing is not
// in the step shape), and its LM head.
void enumerate_step_operators(const ModelShapes& s, Phase phase, const RankBatch& batch,
                              std::int64_t logit_tokens, OperatorSink& sink);

// Allocating conveniences for explain tables and tests. `group_m` pointers refer into `experts`.
std::vector<Operator> layer_operators(const ModelShapes& s, Phase phase, bool moe_layer,
                                      const RankBatch& batch, const ExpertWork& experts);
std::vector<Operator> step_operators(const ModelShapes& s, Phase phase, const RankBatch& batch,
                                     std::int64_t logit_tokens);

// FLOPs and unique bytes of a GEMM with `groups` groups of `m` rows: A [m,k], B [k,n] per group,
// output [m,n] in BF16 (2 B).
double gemm_flops(double m, double n, double k, double groups = 1);
double gemm_bytes(double m, double n, double k, double groups, double ab_bytes_per_elem,
                  double out_bytes_per_elem = 2);

}  // namespace fleetsim
