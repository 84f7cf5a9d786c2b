// Step time composition (see step_timer.hpp).
#include "sim/serving/step_timer.hpp"

#include <algorithm>
#include <cmath>

#include "sim/engine/portable_math.hpp"

namespace fleetsim {

StepTimer::StepTimer(const ScenarioSpec& s, const UnitSpec& unit, Phase phase,
                     const LayerCostModel& layers, const CommCostModel& comm)
    : model_(s.model),
      unit_(unit),
      phase_(phase),
      layers_(layers),
      comm_(comm),
      // With overlap, communication kernels hold their SMs while compute runs (prefill: 24 of
      // 132); without it the phases alternate and compute gets the whole GPU.
      split_{unit.overlap ? s.hardware.gpu.sm_count - unit.comm_sms : s.hardware.gpu.sm_count,
             unit.comm_sms} {
  clear_comm_cache();
  // Until a routing model says otherwise: every one of the top-k experts on a distinct GPU.
  dest_gpus_per_token_ = std::min<double>(model_.moe.top_k, unit.gpus_per_unit);
}

TimeNs StepTimer::all_to_all_ns(double tokens_per_gpu, A2aKind kind) const {
  if (tokens_per_gpu <= 0) return 0;
  const double x = pmath::log2(tokens_per_gpu) * 8.0;
  const int lo = static_cast<int>(std::floor(x));
  auto at_bucket = [&](int b) -> TimeNs {
    // Buckets outside the table's span (below 2^-16 or from 2^48 tokens per GPU) are costed
    // afresh each time: the same value either way.
    const int slot = b + kCommBucketOffset;
    const bool cached = slot >= 0 && slot < kCommBuckets;
    TimeNs* entry = cached ? &comm_cache_[static_cast<std::size_t>(kind)][static_cast<std::size_t>(slot)] : nullptr;
    if (entry != nullptr && *entry >= 0) return *entry;
    const double t = pmath::exp2(b / 8.0);
    const int n = unit_.gpus_per_unit;
    AllToAllTraffic traffic;
    traffic.num_gpus = n;
    traffic.bytes.assign(static_cast<std::size_t>(n) * n, 0.0);
    const double elem_bytes = kind == A2aKind::kDispatch ? model_.precision.dispatch_bytes_per_elem
                                                         : model_.precision.combine_bytes_per_elem;
    const A2aMode mode = this->mode();
    const double copies = mode == A2aMode::kNormal ? dest_gpus_per_token_ : model_.moe.top_k;
    const double per_pair = t * copies / n * model_.hidden_size * elem_bytes;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) traffic.at(i, j) = per_pair;
    const TimeNs ns = comm_.all_to_all_ns(traffic, kind, mode, unit_.comm_sms);
    if (entry != nullptr) *entry = ns;
    return ns;
  };
  const TimeNs a = at_bucket(lo), b = at_bucket(lo + 1);
  const double f = x - lo;
  return a + pmath::llround(f * static_cast<double>(b - a));
}

namespace {
constexpr double kBucketsPerDoubling = 256;
std::int64_t bucket_of(double x) {
  return x > 0 ? pmath::llround(pmath::log2(x) * kBucketsPerDoubling) : -1;
}
double value_of(std::int64_t b) { return b < 0 ? 0.0 : pmath::exp2(static_cast<double>(b) / kBucketsPerDoubling); }
}  // namespace

StepTimer::StepKey StepTimer::key_of(const StepQuery& q) const {
  const double imbalance = imbalance_of(q);
  return {q.max_rank_mb.tokens, q.max_rank_mb.sequences, bucket_of(q.max_rank_mb.attended_pairs),
          bucket_of(q.max_rank_mb.kv_tokens_read), bucket_of(q.unit_tokens_mb), q.logit_tokens,
          bucket_of(imbalance)};
}

StepQuery StepTimer::snapped(const StepQuery& q, const StepKey& key) const {
  StepQuery s = q;
  s.max_rank_mb.attended_pairs = value_of(key[2]);
  s.max_rank_mb.kv_tokens_read = value_of(key[3]);
  s.unit_tokens_mb = value_of(key[4]);
  s.expert_imbalance = value_of(key[6]);
  return s;
}

// The rank part's key below holds every field of the snapped batch; a new field needs its entry.
static_assert(sizeof(RankBatch) == 2 * sizeof(std::int64_t) + 2 * sizeof(double),
              "StepTimer::step_ns keys the rank part by each field of RankBatch");

TimeNs StepTimer::step_ns(const StepQuery& q) const {
  const StepKey key = key_of(q);
  const StepQuery s = snapped(q, key);
  // The snapped batch is a function of these five entries of the key.
  const RankPart rank = rank_cache_.get({key[0], key[1], key[2], key[3], key[5]},
                                        [&] { return rank_part(s); });
  const std::int64_t per_slot = tokens_per_slot(s);
  const TimeNs mlp = routed_cache_.get({per_slot}, [&] { return routed_experts_ns(per_slot); });
  return compose(s, rank, mlp).total_ns;
}

StepResult StepTimer::step(const StepQuery& q) const { return compute_step(snapped(q, key_of(q))); }

StepResult StepTimer::compute_step(const StepQuery& q) const {
  return compose(q, rank_part(q), routed_experts_ns(tokens_per_slot(q)));
}

StepTimer::RankPart StepTimer::rank_part(const StepQuery& q) const {
  RankPart p;
  if (q.max_rank_mb.tokens > 0) {  // an empty batch runs no layer (LayerCostModel::layer)
    p.dense = layers_.attention_stages(phase_, false, q.max_rank_mb, split_);
    p.moe = layers_.attention_stages(phase_, true, q.max_rank_mb, split_);
  }
  RankBatch whole = q.max_rank_mb;
  whole.tokens *= 2;
  whole.sequences *= 2;
  whole.attended_pairs *= 2;
  whole.kv_tokens_read *= 2;
  p.overhead_ns = layers_.step_overhead_ns(phase_, whole, q.logit_tokens, split_);
  return p;
}

std::int64_t StepTimer::tokens_per_slot(const StepQuery& q) const {
  // Routed work on the busiest GPU: its share of the unit's token copies, times the imbalance.
  const double copies = q.unit_tokens_mb * model_.moe.top_k;
  const double imbalance = imbalance_of(q);
  const double gpu_tokens = copies / unit_.gpus_per_unit * imbalance;
  return static_cast<std::int64_t>(std::ceil(gpu_tokens / unit_.slots_per_gpu));
}

TimeNs StepTimer::routed_experts_ns(std::int64_t tokens_per_slot) const {
  ExpertWork ex;
  ex.tokens_per_slot.assign(static_cast<std::size_t>(unit_.slots_per_gpu), tokens_per_slot);
  return layers_.routed_experts_ns(phase_, ex, split_);
}

StepResult StepTimer::compose(const StepQuery& q, const RankPart& rank, TimeNs moe_mlp_ns) const {
  StepResult r;
  const double imbalance = imbalance_of(q);
  LayerStageTimes moe = rank.moe;
  if (q.max_rank_mb.tokens > 0) moe.mlp_ns = moe_mlp_ns;  // as in rank_part
  const double tokens_per_gpu = q.unit_tokens_mb / unit_.gpus_per_unit;
  // The busiest receiver bounds the all-to-all: scale by the expert imbalance.
  const TimeNs dispatch =
      static_cast<TimeNs>(all_to_all_ns(tokens_per_gpu, A2aKind::kDispatch) * imbalance);
  const TimeNs combine =
      static_cast<TimeNs>(all_to_all_ns(tokens_per_gpu, A2aKind::kCombine) * imbalance);

  r.dense.moe = false;
  r.dense.mb[0] = r.dense.mb[1] = rank.dense;
  r.moe.moe = true;
  r.moe.mb[0] = r.moe.mb[1] = moe;
  r.moe.dispatch_ns[0] = r.moe.dispatch_ns[1] = dispatch;
  r.moe.combine_ns[0] = r.moe.combine_ns[1] = combine;
  r.dense_layer_ns = layer_duration(phase_, unit_.overlap, r.dense);
  r.moe_layer_ns = layer_duration(phase_, unit_.overlap, r.moe);
  r.overhead_ns = rank.overhead_ns;
  r.total_ns = model_.num_dense_layers * r.dense_layer_ns +
               model_.num_moe_layers() * r.moe_layer_ns + r.overhead_ns;
  return r;
}

}  // namespace fleetsim
