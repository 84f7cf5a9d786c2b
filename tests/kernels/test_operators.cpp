// Operator lists of DeepSeek-V3 layers against hand-computed shapes, FLOPs and bytes (the DeepGEMM
// benchmark shapes are V3's projections: facts file section 2, "[interpretation]" line).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/hw/operators.hpp"

using namespace fleetsim;

namespace {

const ModelSpec& v3() {
  static const ModelSpec m = load_model_spec(FLEETSIM_SOURCE_DIR "/models/deepseek-v3.json");
  return m;
}

const Operator& find(const std::vector<Operator>& ops, const std::string& name) {
  for (const auto& op : ops)
    if (name == op.name) return op;
  FAIL("operator " << name << " not found");
  return ops.front();
}

// A decode rank's batch with MTP (two tokens a sequence), each sequence holding kv_per_seq tokens.
RankBatch decode_batch(std::int64_t seqs, double kv_per_seq) {
  RankBatch b;
  b.tokens = 2 * seqs;
  b.sequences = seqs;
  b.kv_tokens_read = static_cast<double>(seqs) * kv_per_seq;
  b.attended_pairs = 2 * b.kv_tokens_read;
  return b;
}

bool has(const std::vector<Operator>& ops, const std::string& name) {
  for (const auto& op : ops)
    if (name == op.name) return true;
  return false;
}

}  // namespace

TEST_CASE("prefill MoE layer: projections are the DeepGEMM benchmark shapes") {
  RankBatch b;
  b.tokens = 64;
  b.sequences = 1;
  b.attended_pairs = 64.0 * 65 / 2;  // one causal chunk of 64 tokens
  ExpertWork ex;
  ex.tokens_per_slot = {64, 0, 128};
  const auto ops = layer_operators(ModelShapes(v3()), Phase::kPrefill, true, b, ex);
  const Operator& qa = find(ops, "q_a_kv_a_proj");  // q_a 1536 + kv_a 512 + k_pe 64
  CHECK(qa.n == 2112);
  CHECK(qa.k == 7168);
  CHECK(qa.stage == OpStage::kAttn0);
  CHECK(find(ops, "q_b_proj").n == 24576);  // 128 heads x 192
  CHECK(find(ops, "q_b_proj").k == 1536);
  CHECK(find(ops, "kv_b_proj").n == 32768);  // 128 heads x (128 + 128)
  CHECK(find(ops, "kv_b_proj").k == 512);
  const Operator& o = find(ops, "o_proj");
  CHECK(o.n == 7168);
  CHECK(o.k == 16384);
  CHECK(o.stage == OpStage::kAttn1);
  CHECK(o.flops == Approx(2.0 * 64 * 7168 * 16384));
  // FP8 operands, BF16 output: 64x16384 + 16384x7168 bytes in, 64x7168x2 out.
  CHECK(o.bytes == Approx(64.0 * 16384 + 16384.0 * 7168 + 64.0 * 7168 * 2));
  CHECK(find(ops, "shared_gate_up").n == 4096);
  CHECK(find(ops, "shared_down").k == 2048);
  CHECK(find(ops, "router_gate").n == 256);
  const Operator& core = find(ops, "attention_prefill");
  CHECK(core.cls == OpClass::kAttentionPrefill);
  CHECK(core.flops == Approx(2.0 * b.attended_pairs * 128 * (192 + 128)));
  const Operator& up = find(ops, "experts_gate_up");
  CHECK(up.cls == OpClass::kGroupedGemmContiguous);
  CHECK(up.stage == OpStage::kMlp);
  CHECK(up.groups == 3);
  CHECK(up.flops == Approx(2.0 * (64 + 128) * 4096 * 7168));
  // The empty slot reads no weights: two slots' weights.
  CHECK(up.bytes == Approx(192.0 * 7168 + 2.0 * 7168 * 4096 + 192.0 * 4096 * 2));
  CHECK_FALSE(has(ops, "mla_decode"));
}

TEST_CASE("decode MoE layer: absorbed MLA and FlashMLA-style core attention") {
  RankBatch b;
  b.sequences = 128;
  b.tokens = 128;
  b.kv_tokens_read = 128.0 * 4989;
  b.attended_pairs = b.kv_tokens_read;
  ExpertWork ex;
  ex.tokens_per_slot = {100, 156};
  const auto ops = layer_operators(ModelShapes(v3()), Phase::kDecode, true, b, ex);
  CHECK_FALSE(has(ops, "kv_b_proj"));
  const Operator& uk = find(ops, "q_nope_absorb_w_uk");
  CHECK(uk.cls == OpClass::kBatchedGemm);
  CHECK(uk.groups == 128);
  CHECK(uk.n == 512);
  CHECK(uk.k == 128);
  const Operator& uv = find(ops, "out_absorb_w_uv");
  CHECK(uv.stage == OpStage::kAttn1);
  CHECK(uv.n == 128);
  CHECK(uv.k == 512);
  const Operator& core = find(ops, "mla_decode");
  // Facts file 3.2: 2 * 128 * 4989 * 1088 * 128 = 177.9 GFLOP.
  CHECK(core.flops == Approx(2.0 * 128 * 4989 * (576 + 512) * 128));
  CHECK(core.bytes >= 128.0 * 4989 * 576 * 2);
  CHECK(find(ops, "experts_down").cls == OpClass::kGroupedGemmMasked);
  CHECK(find(ops, "experts_down").m == 128);  // mean tokens over the non-empty slots
}

TEST_CASE("dense layer: the dense FFN in the shared stage, no routing, no experts") {
  RankBatch b;
  b.tokens = 10;
  b.sequences = 10;
  b.attended_pairs = 1000;
  b.kv_tokens_read = 1000;
  const auto ops = layer_operators(ModelShapes(v3()), Phase::kDecode, false, b, ExpertWork{});
  CHECK(find(ops, "ffn_gate_up").n == 2 * 18432);
  CHECK(find(ops, "ffn_down").k == 18432);
  CHECK(find(ops, "ffn_down").stage == OpStage::kShared);
  CHECK_FALSE(has(ops, "router_gate"));
  CHECK_FALSE(has(ops, "experts_gate_up"));
  CHECK(layer_operators(ModelShapes(v3()), Phase::kDecode, false, RankBatch{}, {}).empty());
}

TEST_CASE("step operators: LM head over the vocabulary, MTP module tagged") {
  const RankBatch b = decode_batch(128, 1000);
  const auto ops = step_operators(ModelShapes(v3()), Phase::kDecode, b, 128);
  const Operator& head = find(ops, "lm_head");
  CHECK(head.m == 128);
  CHECK(head.n == 129280);
  CHECK(head.k == 7168);
  CHECK_FALSE(head.mtp);
  CHECK(find(ops, "mtp_lm_head").mtp);
  CHECK(find(ops, "mtp_eh_proj").k == 2 * 7168);
  const Operator& mtp_experts = find(ops, "experts_gate_up");
  CHECK(mtp_experts.mtp);
  CHECK(mtp_experts.stage == OpStage::kStep);
  CHECK(mtp_experts.groups == 8);  // top-8 activations of each token, served locally
  CHECK(mtp_experts.flops == Approx(2.0 * 8 * 256 * 4096 * 7168));
}

namespace {

class Collect final : public OperatorSink {
 public:
  void on(const Operator& op) override { names.emplace_back(op.name), stages.push_back(op.stage); }
  std::vector<std::string> names;
  std::vector<OpStage> stages;
};

}  // namespace

TEST_CASE("a layer is its attention-side operators, then its routed experts") {
  const RankBatch b = decode_batch(48, 3000);
  ExpertWork ex;
  ex.tokens_per_slot = {40, 0, 75};
  const ModelShapes shapes(v3());
  for (const Phase phase : {Phase::kPrefill, Phase::kDecode}) {
    for (const bool moe : {false, true}) {
      INFO((phase == Phase::kPrefill ? "prefill" : "decode") << (moe ? " MoE" : " dense"));
      Collect whole, parts;
      enumerate_layer_operators(shapes, phase, moe, b, ex, whole);
      enumerate_attention_operators(shapes, phase, moe, b, parts);
      const std::size_t attention = parts.names.size();
      if (moe) enumerate_routed_operators(shapes, phase, ex, parts);
      CHECK(parts.names == whole.names);
      // The split falls where the MLP stage starts: nothing of it on the attention side.
      for (std::size_t i = 0; i < parts.stages.size(); ++i)
        CHECK((parts.stages[i] == OpStage::kMlp) == (i >= attention));
      CHECK((parts.names.size() > attention) == moe);
    }
  }
  // An empty batch runs no layer at all; routed work alone still enumerates its experts.
  Collect none, routed;
  enumerate_layer_operators(shapes, Phase::kDecode, true, RankBatch{}, ex, none);
  CHECK(none.names.empty());
  enumerate_routed_operators(shapes, Phase::kDecode, ex, routed);
  CHECK(routed.names.size() == 3);
}
