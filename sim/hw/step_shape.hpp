// The shape of the work one GPU does in one microbatch of a serving step: the contract between
// the serving system (which knows requests) and the hardware cost models (which know kernels).
#pragma once

#include <cstdint>
#include <vector>

namespace fleetsim {

enum class Phase : std::uint8_t { kPrefill, kDecode };
inline const char* to_string(Phase p) { return p == Phase::kPrefill ? "prefill" : "decode"; }

// What one DP rank computes in one microbatch (attention side).
struct RankBatch {
  std::int64_t tokens = 0;     // query tokens computed (prefill: uncached tokens; decode: seqs * tokens/seq)
  std::int64_t sequences = 0;  // sequences contributing those tokens
  // Sum over computed query tokens of the number of key positions each attends to
  // (causal prefill: prefix + position in the chunk; decode: the sequence's KV length).
  double attended_pairs = 0;
  // Decode: KV-cache tokens read by core attention (sum of KV lengths). Prefill: 0.
  double kv_tokens_read = 0;
};

// How the SMs of a GPU are split between computation and communication kernels.
struct SmSplit {
  int compute_sms = 0;
  int comm_sms = 0;
};

// Per-stage times of one layer for one microbatch on one GPU, in nanoseconds. The stage names are
// the published ones (Day-6 overlap figures): prefill uses attn/shared/mlp; decode splits attention
// into attn0 (projections before core attention) and attn1 (core attention, o_proj, gate).
struct LayerStageTimes {
  std::int64_t attn_ns = 0;   // prefill ATTN = MLA + routing gate (attn0 + attn1)
  std::int64_t attn0_ns = 0;
  std::int64_t attn1_ns = 0;
  std::int64_t shared_ns = 0;  // shared expert (MoE layer) or the dense FFN (dense layer)
  std::int64_t mlp_ns = 0;     // routed experts' grouped GEMM (0 on dense layers)
};

// Routed work arriving at one GPU in one microbatch of one MoE layer.
struct ExpertWork {
  // Token count for each expert slot hosted on the GPU (a grouped GEMM with one group a slot).
  std::vector<std::int64_t> tokens_per_slot;
  std::int64_t total_tokens() const {
    std::int64_t s = 0;
    for (auto t : tokens_per_slot) s += t;
    return s;
  }
};

}  // namespace fleetsim
