// Loads models/*.json and derives parameter and KV-cache sizes from the architecture.
#include "sim/spec/model_spec.hpp"

#include "sim/util/json_reader.hpp"

namespace fleetsim {

double ModelSpec::attention_params_per_layer() const {
  const auto& a = attention;
  const double h = hidden_size;
  const double q_a = h * a.q_lora_rank;
  const double q_b = static_cast<double>(a.q_lora_rank) * a.num_heads * a.qk_head_dim();
  const double kv_a = h * (a.kv_lora_rank + a.qk_rope_head_dim);
  const double kv_b =
      static_cast<double>(a.kv_lora_rank) * a.num_heads * (a.qk_nope_head_dim + a.v_head_dim);
  const double o = static_cast<double>(a.num_heads) * a.v_head_dim * h;
  const double norms = a.q_lora_rank + a.kv_lora_rank + 2.0 * h;  // q/kv latent + pre-attn/pre-ffn
  return q_a + q_b + kv_a + kv_b + o + norms;
}

double ModelSpec::dense_ffn_params_per_layer() const {
  return 3.0 * hidden_size * dense_intermediate_size;
}

double ModelSpec::expert_params() const {
  return 3.0 * hidden_size * moe.expert_intermediate_size;
}

double ModelSpec::router_params_per_layer() const {
  return static_cast<double>(moe.num_routed_experts) * hidden_size + moe.num_routed_experts;
}

double ModelSpec::embedding_params() const { return static_cast<double>(vocab_size) * hidden_size; }

double ModelSpec::total_params() const {
  const int moe_layers = num_moe_layers();
  return num_layers * attention_params_per_layer() +
         num_dense_layers * dense_ffn_params_per_layer() +
         moe_layers * ((moe.num_routed_experts + moe.num_shared_experts) * expert_params() +
                       router_params_per_layer()) +
         2.0 * embedding_params() + hidden_size /* final norm */;
}

double ModelSpec::activated_params() const {
  const int moe_layers = num_moe_layers();
  return num_layers * attention_params_per_layer() +
         num_dense_layers * dense_ffn_params_per_layer() +
         moe_layers * ((moe.top_k + moe.num_shared_experts) * expert_params() +
                       router_params_per_layer()) +
         2.0 * embedding_params() + hidden_size;
}

double ModelSpec::mtp_unique_params() const {
  // One MoE transformer block plus the projection of [h; emb] (2*hidden -> hidden) and 2 norms.
  const double block = attention_params_per_layer() +
                       (moe.num_routed_experts + moe.num_shared_experts) * expert_params() +
                       router_params_per_layer();
  return mtp_layers * (block + 2.0 * hidden_size * hidden_size + 2.0 * hidden_size);
}

double ModelSpec::kv_cache_bytes_per_token() const {
  return static_cast<double>(num_layers) * attention.kv_cache_elems_per_layer() *
         precision.kv_cache_bytes_per_elem;
}

double ModelSpec::weight_bytes_per_gpu(int expert_slots, bool with_mtp) const {
  const double experts = (moe.num_shared_experts + expert_slots) * expert_params();
  double params = num_layers * attention_params_per_layer() + num_dense_layers * dense_ffn_params_per_layer() +
                  num_moe_layers() * (experts + router_params_per_layer()) + 2.0 * embedding_params();
  if (with_mtp) params += mtp_layers * (attention_params_per_layer() + experts);
  return params * precision.weight_bytes_per_param;
}

ModelSpec load_model_spec(const std::string& path) {
  const Json doc = load_json_file(path);
  JsonReader r(doc, path);
  r.only_keys({"name", "hidden_size", "num_layers", "num_dense_layers", "dense_intermediate_size",
               "vocab_size", "attention", "moe", "mtp", "precision", "published"});
  ModelSpec m;
  m.file = path;
  m.name = r.string("name");
  m.hidden_size = r.positive_int32("hidden_size");
  m.num_layers = r.positive_int32("num_layers");
  m.num_dense_layers = r.non_negative_int32("num_dense_layers");
  if (m.num_dense_layers > m.num_layers)
    r.at("num_dense_layers").fail("an integer <= num_layers (" + std::to_string(m.num_layers) + ")");
  m.dense_intermediate_size = r.non_negative_int32("dense_intermediate_size");
  m.vocab_size = r.positive_int32("vocab_size");

  const JsonReader a = r.at("attention");
  a.only_keys({"type", "num_heads", "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim",
               "qk_rope_head_dim", "v_head_dim"});
  a.one_of("type", {"mla"});
  m.attention.num_heads = a.positive_int32("num_heads");
  m.attention.q_lora_rank = a.positive_int32("q_lora_rank");
  m.attention.kv_lora_rank = a.positive_int32("kv_lora_rank");
  m.attention.qk_nope_head_dim = a.positive_int32("qk_nope_head_dim");
  m.attention.qk_rope_head_dim = a.positive_int32("qk_rope_head_dim");
  m.attention.v_head_dim = a.positive_int32("v_head_dim");

  const JsonReader e = r.at("moe");
  e.only_keys({"num_routed_experts", "num_shared_experts", "top_k", "num_expert_groups",
               "num_groups_selected", "expert_intermediate_size"});
  m.moe.num_routed_experts = e.positive_int32("num_routed_experts");
  m.moe.num_shared_experts = e.non_negative_int32("num_shared_experts");
  m.moe.top_k = e.positive_int32("top_k");
  m.moe.num_expert_groups = e.positive_int32("num_expert_groups");
  m.moe.num_groups_selected = e.positive_int32("num_groups_selected");
  m.moe.expert_intermediate_size = e.positive_int32("expert_intermediate_size");
  if (m.moe.top_k > m.moe.num_routed_experts)
    e.at("top_k").fail("an integer <= num_routed_experts");
  if (m.moe.num_routed_experts % m.moe.num_expert_groups != 0)
    e.at("num_expert_groups").fail("a divisor of num_routed_experts");
  if (m.moe.num_groups_selected > m.moe.num_expert_groups)
    e.at("num_groups_selected").fail("an integer <= num_expert_groups");
  const int per_group = m.moe.num_routed_experts / m.moe.num_expert_groups;
  if (m.moe.top_k > per_group * m.moe.num_groups_selected)
    e.at("top_k").fail("at most num_groups_selected * experts per group");

  if (auto mtp = r.maybe("mtp")) {
    mtp->only_keys({"num_layers"});
    m.mtp_layers = mtp->non_negative_int32("num_layers");
  }
  const JsonReader p = r.at("precision");
  p.only_keys({"weight_bytes_per_param", "activation_dispatch_bytes_per_elem",
               "activation_combine_bytes_per_elem", "kv_cache_bytes_per_elem"});
  // A number format's width: from sub-byte (4-bit weights) to fp64.
  auto bytes_per_number = [&](const char* key) {
    const double b = p.number(key);
    if (!(b > 0 && b <= 8)) p.at(key).fail("a number of bytes in (0, 8]");
    return b;
  };
  m.precision.weight_bytes_per_param = bytes_per_number("weight_bytes_per_param");
  m.precision.dispatch_bytes_per_elem = bytes_per_number("activation_dispatch_bytes_per_elem");
  m.precision.combine_bytes_per_elem = bytes_per_number("activation_combine_bytes_per_elem");
  m.precision.kv_cache_bytes_per_elem = bytes_per_number("kv_cache_bytes_per_elem");
  if (auto pub = r.maybe("published")) {
    pub->only_keys({"total_params", "activated_params", "kv_cache_bytes_per_token_bf16"});
    // Optional figures checked against the architecture by the tests; 0 stands for "not given".
    auto published = [&](const char* key) { return pub->has(key) ? pub->positive(key) : 0.0; };
    m.published_total_params = published("total_params");
    m.published_activated_params = published("activated_params");
    m.published_kv_bytes_per_token = published("kv_cache_bytes_per_token_bf16");
  }
  return m;
}

}  // namespace fleetsim
