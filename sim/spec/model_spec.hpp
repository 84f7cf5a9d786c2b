// A model architecture as data (models/*.json), and the quantities derived from it that the
// rest of the simulator needs: parameter counts, weight bytes, KV-cache bytes per token.
#pragma once

#include <cstdint>
#include <string>

namespace fleetsim {

struct MlaSpec {
  int num_heads = 0;
  int q_lora_rank = 0;
  int kv_lora_rank = 0;
  int qk_nope_head_dim = 0;
  int qk_rope_head_dim = 0;
  int v_head_dim = 0;
  int qk_head_dim() const { return qk_nope_head_dim + qk_rope_head_dim; }
  // Elements cached per token per layer: the compressed latent plus the shared RoPE key.
  int kv_cache_elems_per_layer() const { return kv_lora_rank + qk_rope_head_dim; }
};

struct MoeSpec {
  int num_routed_experts = 0;
  int num_shared_experts = 0;
  int top_k = 0;
  int num_expert_groups = 1;
  int num_groups_selected = 1;
  int expert_intermediate_size = 0;
};

struct PrecisionSpec {
  double weight_bytes_per_param = 1;
  double dispatch_bytes_per_elem = 1;
  double combine_bytes_per_elem = 2;
  double kv_cache_bytes_per_elem = 2;
};

struct ModelSpec {
  std::string name;
  std::string file;
  int hidden_size = 0;
  int num_layers = 0;
  int num_dense_layers = 0;
  int dense_intermediate_size = 0;
  int vocab_size = 0;
  int mtp_layers = 0;
  MlaSpec attention;
  MoeSpec moe;
  PrecisionSpec precision;
  double published_total_params = 0;
  double published_activated_params = 0;
  double published_kv_bytes_per_token = 0;

  int num_moe_layers() const { return num_layers - num_dense_layers; }

  // Parameter counts per component (weights only; norms included, scales excluded).
  double attention_params_per_layer() const;
  double dense_ffn_params_per_layer() const;
  double expert_params() const;  // one routed or shared expert (gate, up, down)
  double router_params_per_layer() const;
  double embedding_params() const;  // one of: input embedding, LM head

  double total_params() const;      // main model, without the MTP module
  double activated_params() const;  // per token: attention, dense FFN, shared + top-k experts
  double mtp_unique_params() const; // MTP module excluding the embedding and head it shares
  double kv_cache_bytes_per_token() const;
  // Weight bytes one GPU of an expert-parallel unit holds: attention, dense FFNs, routers and
  // embeddings replicated, the shared experts and `expert_slots` routed ones in each MoE layer,
  // and the MTP module (with the same experts) when it runs.
  double weight_bytes_per_gpu(int expert_slots, bool with_mtp) const;
};

ModelSpec load_model_spec(const std::string& path);

}  // namespace fleetsim
