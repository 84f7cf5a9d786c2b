// Turns the shape of a unit's step (its most loaded rank, the unit's routed tokens) into a step
// time: per-layer stage times from the layer cost model, all-to-all times from the communication
// model, composed by the overlap pipeline over 2 microbatches, times the model's layers, plus
// the once-per-step work. A layer waits for its slowest GPU, so the step is costed on the
// maxima over GPUs.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sim/hw/comm_cost_model.hpp"
#include "sim/hw/layer_cost_model.hpp"
#include "sim/serving/overlap_pipeline.hpp"
#include "sim/spec/scenario_spec.hpp"
#include "sim/util/bounded_memo.hpp"

namespace fleetsim {

struct StepQuery {
  RankBatch max_rank_mb;             // per microbatch, the maxima over the unit's ranks
  double unit_tokens_mb = 0;         // tokens of one microbatch summed over the unit's ranks
  std::int64_t logit_tokens = 0;     // tokens needing LM-head logits on the busiest rank
  // This step's routed-expert max/mean over GPUs; 0 takes the unit's mean (set_expert_imbalance).
  double expert_imbalance = 0;
};

struct StepResult {
  TimeNs total_ns = 0;
  TimeNs dense_layer_ns = 0, moe_layer_ns = 0, overhead_ns = 0;
  LayerWork dense, moe;
};

class StepTimer {
 public:
  StepTimer(const ScenarioSpec& s, const UnitSpec& unit, Phase phase, const LayerCostModel& layers,
            const CommCostModel& comm);

  // The step's duration. Real-valued inputs are snapped to geometric buckets 0.27% apart and the
  // step is costed at the bucket's value, so a result depends only on its bucket, never on which
  // query happened to fill a memo first (determinism). Its two costly parts are memoised apart:
  // the busiest rank's layers and step overhead by its batch, the routed experts by their tokens
  // per slot. (A memo of whole steps, keyed by all seven, missed on a quarter of decode steps
  // and its megabytes of keys were slower to probe than composing the parts.)
  TimeNs step_ns(const StepQuery& q) const;
  // The same step in full (its total_ns is step_ns(q)), computed afresh: for traces.
  StepResult step(const StepQuery& q) const;
  // The uncached computation, at the query's own values.
  StepResult compute_step(const StepQuery& q) const;

  // Max over GPUs of routed-expert tokens divided by the mean (1 = perfectly balanced). Set by
  // the unit from its current expert placement and observed routing.
  void set_expert_imbalance(double max_over_mean) { expert_imbalance_ = max_over_mean; }
  double expert_imbalance() const { return expert_imbalance_; }
  // The imbalance a query is costed at: its own, or the unit's mean when it has none.
  double imbalance_of(const StepQuery& q) const {
    return q.expert_imbalance > 0 ? q.expert_imbalance : expert_imbalance_;
  }
  // Mean number of distinct GPUs a token is dispatched to (DeepEP sends one copy per GPU).
  void set_dest_gpus_per_token(double u) {
    dest_gpus_per_token_ = u;
    clear_comm_cache();
  }
  // Whether the all-to-all depends on that fan-out: only with the normal kernels (prefill); the
  // low-latency ones (decode) send a copy per (token, expert) pair whatever the placement.
  bool uses_dest_gpus_per_token() const { return mode() == A2aMode::kNormal; }
  Phase phase() const { return phase_; }
  const UnitSpec& unit() const { return unit_; }

 private:
  using StepKey = std::array<std::int64_t, 7>;
  // What the busiest rank's batch alone decides (see LayerCostModel::attention_stages): a decode
  // step's batch and its drawn expert imbalance vary apart, so a step missing the memo mostly
  // finds its batch's part already costed.
  struct RankPart {
    LayerStageTimes dense, moe;  // moe.mlp_ns 0: the routed experts come from the unit's work
    TimeNs overhead_ns = 0;
  };
  StepKey key_of(const StepQuery& q) const;
  RankPart rank_part(const StepQuery& q) const;
  // Tokens on each expert slot of the busiest GPU: its share of the unit's routed copies.
  std::int64_t tokens_per_slot(const StepQuery& q) const;
  TimeNs routed_experts_ns(std::int64_t tokens_per_slot) const;
  StepResult compose(const StepQuery& q, const RankPart& rank, TimeNs moe_mlp_ns) const;
  // The query at its key's bucket values, where the step is costed.
  StepQuery snapped(const StepQuery& q, const StepKey& key) const;
  TimeNs all_to_all_ns(double tokens_per_gpu, A2aKind kind) const;
  // DeepEP's normal kernels (prefill) send a token once per destination GPU; the low-latency
  // kernels (decode) one copy per (token, expert) pair.
  A2aMode mode() const { return phase_ == Phase::kPrefill ? A2aMode::kNormal : A2aMode::kLowLatency; }
  const ModelSpec& model_;
  UnitSpec unit_;
  Phase phase_;
  const LayerCostModel& layers_;
  const CommCostModel& comm_;
  SmSplit split_;  // compute and communication SMs of a GPU
  double expert_imbalance_ = 1.0;
  double dest_gpus_per_token_ = 0;
  // All-to-all times at geometric token buckets (8 per doubling), interpolated between them:
  // the traffic matrix of a 144-GPU all-to-all is too costly to rebuild every step. A flat table
  // per kind (dispatch, combine), -1 where not yet costed, over buckets -128 to 383
  // (2^-16 to 2^48 tokens per GPU).
  static constexpr int kCommBucketOffset = 128, kCommBuckets = 512;
  mutable std::array<std::array<TimeNs, kCommBuckets>, 2> comm_cache_{};
  void clear_comm_cache() {
    for (auto& kind : comm_cache_) kind.fill(-1);
  }
  // Parts of a step, keyed by the step key's entries they depend on (pure: never cleared for a
  // new expert imbalance or dispatch fan-out).
  mutable BoundedMemo<5, RankPart> rank_cache_;
  mutable BoundedMemo<1, TimeNs> routed_cache_;
};

}  // namespace fleetsim
