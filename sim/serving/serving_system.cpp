// Event handlers of the serving system (see serving_system.hpp).
#include "sim/serving/serving_system.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "sim/engine/portable_math.hpp"
#include "sim/hw/cost_model_registry.hpp"

namespace fleetsim {

namespace {

JsonReader policy(const ScenarioSpec& s, const char* key) {
  return JsonReader(s.policies, s.file, "/policies").at(key);
}

}  // namespace

ServingSystem::ServingSystem(const ScenarioSpec& s)
    : s_(s),
      metrics_(s.duration_ns, s.sample_interval_ns),
      workload_(make_workload(s)),
      mtp_rng_(s.seed, "decode.mtp_acceptance") {
  layer_cost_ = layer_cost_models().create(policy(s, "layer_cost_model"), s.model, s.hardware);
  comm_cost_ = comm_cost_models().create(policy(s, "comm_cost_model"), s.model, s.hardware);
  prefill_timer_ = std::make_unique<StepTimer>(s, s.prefill, Phase::kPrefill, *layer_cost_, *comm_cost_);
  decode_timer_ = std::make_unique<StepTimer>(s, s.decode, Phase::kDecode, *layer_cost_, *comm_cost_);
  autoscaler_ = autoscalers().create(policy(s, "autoscaler"), s);
  prefill_experts_ = std::make_unique<ExpertBalance>(s, s.prefill, *prefill_timer_, "prefill.experts");
  decode_experts_ = std::make_unique<ExpertBalance>(s, s.decode, *decode_timer_, "decode.experts");
  if (s.workload.kind == "trace")
    prefix_cache_.emplace(s.workload.prefix_cache_blocks, s.workload.kv_block_tok);

  pairs_per_token_ = prefill_pairs_per_token_time();
  tokens_per_step_ = s.decode.mtp ? 1.0 + s.decode.mtp_acceptance : 1.0;
  const double usable = s.hardware.gpu.hbm_bytes * (1.0 - s.kv_reserve_fraction) -
                        s.model.weight_bytes_per_gpu(s.decode.slots_per_gpu, s.decode.mtp);
  kv_capacity_tok_ = std::max(0.0, usable / s.model.kv_cache_bytes_per_token());
  storage_bytes_per_s_per_unit_ =
      s.hardware.kv_storage_read_bytes_per_s_per_node * s.prefill.nodes_per_unit;
  max_queue_wait_ns_ = seconds_to_ns(s.slo.max_queue_wait_s);
  nominal_mix_ = nominal_request_mix(s.workload, s.seed);

  // Every unit the pool could hold exists from the start, off; the autoscaler turns them on.
  const int max_prefill = s.cluster_nodes / s.prefill.nodes_per_unit;
  const int max_decode = s.cluster_nodes / s.decode.nodes_per_unit;
  prefill_.resize(static_cast<std::size_t>(max_prefill));
  decode_.resize(static_cast<std::size_t>(max_decode));
  const JsonReader plb = policy(s, "prefill_lb"), dlb = policy(s, "decode_lb");
  for (std::size_t u = 0; u < prefill_.size(); ++u) {
    auto& p = prefill_[u];
    p.queues.resize(static_cast<std::size_t>(s.prefill.dp_degree));
    p.loads.resize(p.queues.size());
    for (auto& l : p.loads) l.accepting = true;
    p.rank_lb = prefill_balancers().create(plb, Rng(s.seed, "prefill.rank_lb", u));
    p.rank_lb->attach(p.loads);
  }
  const auto cap = static_cast<std::int64_t>(kv_capacity_tok_);
  for (std::size_t u = 0; u < decode_.size(); ++u) {
    auto& d = decode_[u];
    d.ranks.resize(static_cast<std::size_t>(s.decode.dp_degree));
    d.loads.resize(d.ranks.size());
    for (auto& l : d.loads) {
      l.capacity_tokens = cap;
      l.accepting = true;
    }
    d.rank_lb = decode_balancers().create(dlb, Rng(s.seed, "decode.rank_lb", u));
    d.rank_lb->attach(d.loads);
  }
  prefill_unit_loads_.resize(prefill_.size());
  decode_unit_loads_.resize(decode_.size());
  for (auto& l : prefill_unit_loads_) l.accepting = false;
  for (auto& l : decode_unit_loads_) {
    l.accepting = false;
    l.capacity_tokens = cap * s.decode.dp_degree;
  }
  prefill_unit_lb_ = prefill_balancers().create(plb, Rng(s.seed, "prefill.unit_lb"));
  prefill_unit_lb_->attach(prefill_unit_loads_);
  decode_unit_lb_ = decode_balancers().create(dlb, Rng(s.seed, "decode.unit_lb"));
  decode_unit_lb_->attach(decode_unit_loads_);
}

ServingSystem::~ServingSystem() = default;

StepQuery ServingSystem::prefill_budget_query(const RequestMix& mix, double* mean_tokens_per_gpu) const {
  const UnitSpec& u = s_.prefill;
  const double per_request = std::max(1.0, mix.mean_computed_tok());
  const double pairs_per_tok = mix.pairs_per_computed_tok();
  // The budget is in token-equivalents (a token plus its attention, see start_prefill_step).
  const double budget = static_cast<double>(u.token_budget_per_gpu) / (1.0 + pairs_per_tok / pairs_per_token_);
  StepQuery q;
  // The busiest rank fills the budget; the mean rank carries 1/straggler of it.
  const double mean_tokens = budget / std::max(1.0, prefill_straggler_.tokens);
  q.max_rank_mb.tokens = static_cast<std::int64_t>(budget / 2);
  q.max_rank_mb.sequences = static_cast<std::int64_t>(std::ceil(budget / 2 / per_request));
  q.max_rank_mb.attended_pairs = mean_tokens / 2 * pairs_per_tok * prefill_straggler_.attention;
  q.unit_tokens_mb = mean_tokens / 2 * u.gpus_per_unit;
  q.logit_tokens = q.max_rank_mb.sequences * 2;
  q.expert_imbalance = prefill_experts_->planning_imbalance();
  if (mean_tokens_per_gpu) *mean_tokens_per_gpu = mean_tokens;
  return q;
}

double ServingSystem::prefill_unit_capacity_tok_per_s(const RequestMix& mix) const {
  double mean_tokens = 0;
  const TimeNs t = prefill_timer_->step_ns(prefill_budget_query(mix, &mean_tokens));
  return t > 0 ? mean_tokens * s_.prefill.gpus_per_unit / ns_to_seconds(t) : 0;
}

double ServingSystem::prefill_pairs_per_token_time() const {
  // From the prefill unit's own step cost at its token budget: the time one more token per rank
  // adds (its projections, attention-free part and routed experts) against the time one more
  // attended (query, key) pair adds. Attention runs in BF16 at a lower efficiency than the FP8
  // GEMMs, so its exchange rate is not its FLOP ratio.
  const double tokens = static_cast<double>(s_.prefill.token_budget_per_gpu) / 2;  // per microbatch
  const double pairs = tokens * 4096;  // a few thousand tokens of context: well past fixed costs
  auto step_s = [&](double t, double p) {
    StepQuery q;
    q.max_rank_mb.tokens = static_cast<std::int64_t>(t);
    q.max_rank_mb.sequences = 1;
    q.max_rank_mb.attended_pairs = p;
    q.unit_tokens_mb = t * s_.prefill.gpus_per_unit;
    q.logit_tokens = 2;
    return ns_to_seconds(prefill_timer_->compute_step(q).total_ns);
  };
  const double per_token_s = (step_s(tokens, 0) - step_s(tokens / 2, 0)) / (tokens / 2);
  const double per_pair_s = (step_s(tokens, pairs) - step_s(tokens, 0)) / pairs;
  if (per_token_s > 0 && per_pair_s > 0) return per_token_s / per_pair_s;
  // A cost model without attention cost: fall back to the FLOP ratio.
  const ModelSpec& m = s_.model;
  const double weight_flops = 2.0 * m.activated_params() / m.num_layers;
  const double pair_flops = 2.0 * m.attention.num_heads * (m.attention.qk_head_dim() + m.attention.v_head_dim);
  return weight_flops / pair_flops;
}

StepQuery ServingSystem::decode_capacity_query(double batch_per_gpu, double mean_kv_tok) const {
  const UnitSpec& u = s_.decode;
  const double tok_per_seq = u.mtp ? 2.0 : 1.0;  // MTP verifies one draft token per step
  StepQuery q;
  // The busiest rank holds straggler-times the mean batch and KV.
  const double mb_seqs = std::ceil(batch_per_gpu * decode_straggler_.tokens / 2);
  const double mb_kv = batch_per_gpu / 2 * mean_kv_tok * decode_straggler_.attention;
  q.max_rank_mb.sequences = static_cast<std::int64_t>(mb_seqs);
  q.max_rank_mb.tokens = static_cast<std::int64_t>(mb_seqs * tok_per_seq);
  q.max_rank_mb.kv_tokens_read = mb_kv;
  q.max_rank_mb.attended_pairs = mb_kv * tok_per_seq;
  q.unit_tokens_mb = batch_per_gpu / 2 * tok_per_seq * u.gpus_per_unit;
  q.logit_tokens = static_cast<std::int64_t>(batch_per_gpu * tok_per_seq);
  q.expert_imbalance = decode_experts_->planning_imbalance();
  return q;
}

double ServingSystem::decode_stream_tok_per_s(double batch_per_gpu, double mean_kv_tok) const {
  const TimeNs t = decode_timer_->step_ns(decode_capacity_query(batch_per_gpu, mean_kv_tok));
  return t > 0 ? tokens_per_step_ / ns_to_seconds(t) : 0;
}

std::int64_t ServingSystem::decode_batch_cap_per_gpu(double mean_kv_tok) const {
  const double kv_limit = mean_kv_tok > 0 ? kv_capacity_tok_ / mean_kv_tok : 1e9;
  return std::min<std::int64_t>(s_.decode.max_batch_per_gpu, static_cast<std::int64_t>(kv_limit));
}

double ServingSystem::decode_unit_streams_at_cap(double mean_kv_tok) const {
  return static_cast<double>(decode_batch_cap_per_gpu(mean_kv_tok)) * s_.decode.gpus_per_unit;
}

double ServingSystem::decode_unit_tok_per_s(double streams, double mean_kv_tok) const {
  return streams * decode_stream_tok_per_s(streams / s_.decode.gpus_per_unit, mean_kv_tok);
}

double ServingSystem::decode_unit_streams_at_slo(double mean_kv_tok) const {
  const UnitSpec& u = s_.decode;
  // Largest batch per GPU whose per-stream speed meets the SLO and whose KV fits.
  std::int64_t lo = 0, hi = decode_batch_cap_per_gpu(mean_kv_tok);
  while (lo < hi) {
    const std::int64_t mid = (lo + hi + 1) / 2;
    if (decode_stream_tok_per_s(static_cast<double>(mid), mean_kv_tok) >= s_.slo.min_output_tok_per_s)
      lo = mid;
    else
      hi = mid - 1;
  }
  return static_cast<double>(lo) * u.gpus_per_unit;
}

RunStats ServingSystem::run(const ProgressFn& progress) {
  const auto wall0 = std::chrono::steady_clock::now();
  q_.reserve(1024);
  on_eplb(0);
  on_autoscale(0);  // the initial fleet, active at once: the day starts with a serving fleet
  for (std::size_t u = 0; u < prefill_.size(); ++u)
    if (prefill_[u].state == UnitState::kWarming) activate_unit(static_cast<std::uint32_t>(u), false, 0);
  for (std::size_t u = 0; u < decode_.size(); ++u)
    if (decode_[u].state == UnitState::kWarming) activate_unit(static_cast<std::uint32_t>(u), true, 0);
  q_.push(autoscaler_->interval_ns(), EventPhase::kControl, kAutoscale, 0);
  q_.push(s_.sample_interval_ns, EventPhase::kControl, kSample, 0);
  q_.push(s_.eplb_period_ns, EventPhase::kControl, kEplb, 0);
  draw_next_arrival();

  // The window, then its last requests: past its end the system runs on, load and all, until
  // every request that arrived in it has completed or been rejected (Metrics::close_window).
  std::uint64_t events = 0;
  TimeNs now = 0;
  auto step = [&] {
    now = dispatch_next();
    if ((++events & 0xFFFFF) == 0 && progress) progress(now, events);
  };
  RunStats st;
  while (next_time_ns() <= s_.duration_ns) step();
  st.in_flight_at_end = close_window();
  while (in_window_live() > 0 && next_time_ns() != kTimeNever) step();

  st.events = events;
  st.end_ns = std::max(now, s_.duration_ns);
  st.decode_kv_capacity_tok_per_gpu = kv_capacity_tok_;
  st.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  // Conservation: every request that arrived in the window has completed or been rejected.
  if (in_window_live() != 0)
    throw std::logic_error("request conservation violated: arrived " +
                           std::to_string(metrics_.arrived()) + " != completed " +
                           std::to_string(metrics_.completed()) + " + rejected " +
                           std::to_string(metrics_.rejected()) + " with nothing left to happen");
  return st;
}

// The next arrival waits beside the queue rather than in it: arrivals are most of the events,
// and the one pending goes first at a tie, being the only event of the first phase (kArrival).
bool ServingSystem::arrival_is_next() const {
  return !arrivals_done_ && (q_.empty() || next_arrival_.time_ns <= q_.top().time_ns);
}

TimeNs ServingSystem::next_time_ns() const {
  if (arrival_is_next()) return next_arrival_.time_ns;
  return q_.empty() ? kTimeNever : q_.top().time_ns;
}

TimeNs ServingSystem::dispatch_next() {
  if (arrival_is_next()) {
    const TimeNs now = next_arrival_.time_ns;
    on_arrival(now);
    return now;
  }
  const Event e = q_.pop();
  dispatch(e);
  return e.time_ns;
}

std::uint64_t ServingSystem::close_window() {
  metrics_.close_window(s_.duration_ns);
  // EPLB runs on with the system; the window's figures are its updates up to the end.
  window_expert_stats_ = {prefill_experts_->stats(), decode_experts_->stats()};
  return in_window_live();
}

void ServingSystem::dispatch(const Event& e) {
  switch (static_cast<EventKind>(e.kind)) {
    case kPrefillKick: prefill_kick(e.target, e.time_ns); break;
    case kPrefillStepDone: on_prefill_step_done(e.target, e.time_ns); break;
    case kDecodeKick: decode_kick(e.target, e.time_ns); break;
    case kDecodeStepDone: on_decode_step_done(e.target, e.time_ns); break;
    case kUnitReady: on_unit_ready(e.target, e.payload != 0, e.time_ns); break;
    case kAutoscale:
      on_autoscale(e.time_ns);
      q_.push(e.time_ns + autoscaler_->interval_ns(), EventPhase::kControl, kAutoscale, 0);
      break;
    case kEplb:
      on_eplb(e.time_ns);
      q_.push(e.time_ns + s_.eplb_period_ns, EventPhase::kControl, kEplb, 0);
      break;
    case kSample:
      on_sample(e.time_ns);
      q_.push(e.time_ns + s_.sample_interval_ns, EventPhase::kControl, kSample, 0);
      break;
  }
}

// ---------------------------------------------------------------- unit wake-ups

template <class Unit>
void ServingSystem::kick_at(Unit& unit, TimeNs at, EventKind kind, std::uint32_t u) {
  if (unit.kick_pending) return;
  unit.kick_pending = true;
  q_.push(at, EventPhase::kStep, kind, u);
}

template <class Unit>
void ServingSystem::go_idle(Unit& unit, TimeNs next, EventKind kind, std::uint32_t u, TimeNs now) {
  unit.busy = false;
  if (next != kTimeNever) kick_at(unit, next, kind, u);
  release_if_drained(now);
}

// ---------------------------------------------------------------- arrivals and prefill

void ServingSystem::draw_next_arrival() {
  if (!arrivals_done_ && !workload_->next(next_arrival_)) arrivals_done_ = true;
}

void ServingSystem::on_arrival(TimeNs now) {
  const Arrival& a = next_arrival_;
  const RequestId id = pool_.acquire();
  const std::int64_t cached_tok = a.hash_ids && prefix_cache_
                                      ? prefix_cache_->lookup_and_store(*a.hash_ids, a.input_tok)
                                      : a.cached_tok;
  iv_mix_.add(a.input_tok, cached_tok, a.output_tok);
  const std::int64_t total_tok = a.input_tok + a.output_tok;
  Request& r = pool_[id];
  r.arrival_ns = now;
  if (in_window(r)) metrics_.on_arrival(now);
  r.input_tok = static_cast<std::int32_t>(a.input_tok);
  r.output_tok = static_cast<std::int32_t>(a.output_tok);
  r.cached_tok = static_cast<std::int32_t>(cached_tok);
  draw_next_arrival();  // `a` now holds the next arrival

  if (static_cast<double>(total_tok) > kv_capacity_tok_ || total_tok > kMaxRequestTok) {
    reject(id, RejectReason::kTooLong, now);
    return;
  }
  const double attention = causal_pairs(static_cast<double>(r.cached_tok), static_cast<double>(r.input_tok));
  LbRequest lr{r.input_tok, r.computed_tok(), r.cached_tok, r.output_tok, attention};
  const std::size_t u = prefill_unit_lb_->pick(lr);
  if (u == LoadBalancer::kNoTarget) {
    reject(id, RejectReason::kNoPrefillUnit, now);
    return;
  }
  PrefillUnit& p = prefill_[u];
  const std::size_t rank = p.rank_lb->pick(lr);
  if (rank == LoadBalancer::kNoTarget) {
    reject(id, RejectReason::kNoPrefillUnit, now);
    return;
  }
  // Cache hits are read from the KV storage through the unit's FIFO read pipe. A request whose
  // read would end after the client gave up (slo.max_queue_wait_s) is turned away now: queued, it
  // would only hold its record until its turn came to be dropped, and an overloaded pipe's
  // backlog (hence memory) would grow without bound.
  TimeNs ready_ns = now;
  if (r.cached_tok > 0) {
    const double bytes = static_cast<double>(r.cached_tok) * s_.model.kv_cache_bytes_per_token();
    const TimeNs read_end = std::max(p.storage_free_ns, now) + transfer_time_ns(bytes, storage_bytes_per_s_per_unit_);
    if (read_end - now > max_queue_wait_ns_) {
      reject(id, RejectReason::kKvStorageBacklog, now);
      return;
    }
    p.storage_free_ns = read_end;
    ready_ns = read_end;
  }
  p.queues[rank].push_back({now, ready_ns, id, r.cached_tok, static_cast<std::int32_t>(r.computed_tok()), 0});
  RankLoad& l = p.loads[rank];
  ++l.requests;
  l.tokens += r.computed_tok();
  l.attention += attention;
  p.rank_lb->on_update(rank);
  ++p.queued_requests;
  p.queued_computed_tok += static_cast<double>(r.computed_tok());
  RankLoad& ul = prefill_unit_loads_[u];
  ++ul.requests;
  ul.tokens += r.computed_tok();
  ul.attention += attention;
  prefill_unit_lb_->on_update(u);
  // Same instant, step phase: every arrival stamped `now` joins the batch first.
  if (!p.busy) kick_at(p, ready_ns, kPrefillKick, static_cast<std::uint32_t>(u));
}

void ServingSystem::prefill_kick(std::uint32_t u, TimeNs now) {
  PrefillUnit& p = prefill_[u];
  p.kick_pending = false;
  if (!p.busy) start_prefill_step(u, now);
}

void ServingSystem::start_prefill_step(std::uint32_t u, TimeNs now) {
  PrefillUnit& p = prefill_[u];
  p.batch.clear();
  const double budget_d = static_cast<double>(s_.prefill.token_budget_per_gpu);
  TimeNs next_ready = kTimeNever;
  RankBatch max_mb;
  double unit_tokens = 0, unit_pairs = 0, busiest_work = -1;
  std::int64_t logit_tokens = 0;
  for (const PrefillQueue& queue : p.queues) queue.prefetch_front();
  for (std::size_t rank = 0; rank < p.queues.size(); ++rank) {
    PrefillQueue& queue = p.queues[rank];
    std::int64_t tokens = 0, seqs = 0, logits = 0;
    double pairs = 0;
    // The budget is in token-equivalents: a computed token plus its attention, at the exchange
    // rate of their time on a prefill GPU (pairs_per_token_). Capping each rank's work this way
    // balances core attention across the DP ranks of a step, the published prefill objective.
    double work = 0;
    for (std::size_t i = 0; i < queue.size() && work < budget_d;) {
      const QueuedPrefill& r = queue[i];
      if (r.ready_ns > now) {
        next_ready = std::min(next_ready, r.ready_ns);
        break;
      }
      // A request that waited too long before its prefill started is turned away.
      if (r.prefilled_tok == 0 && now - r.arrival_ns > max_queue_wait_ns_) {
        const QueuedPrefill dropped = r;
        queue.erase(i);
        drop_queued(u, rank, dropped);
        reject(dropped.id, RejectReason::kPrefillQueueWait, now);
        continue;
      }
      const std::int64_t left = r.left_tok();
      const double p0 = static_cast<double>(r.cached_tok + r.prefilled_tok);
      // The most tokens c from prompt position p0 whose work c + causal_pairs(p0, p0 + c) / R
      // fits what is left of the budget (at least a block, so that a rank never stalls on one
      // very long prefix): the positive root of c^2 / (2R) + c (1 + (2 p0 + 1) / (2R)) = left.
      const double rate = pairs_per_token_;
      const double b = 1.0 + (2.0 * p0 + 1.0) / (2.0 * rate);
      const double room = std::max(0.0, budget_d - work);
      const double fit = rate * (std::sqrt(b * b + 2.0 * room / rate) - b);
      std::int64_t chunk = std::min<std::int64_t>(left, static_cast<std::int64_t>(fit));
      if (chunk <= 0) {
        if (tokens > 0) break;
        chunk = std::min<std::int64_t>(left, s_.workload.kv_block_tok);
      }
      const double att = causal_pairs(p0, p0 + static_cast<double>(chunk));
      p.batch.push_back({r.id, static_cast<std::int32_t>(rank), static_cast<std::int32_t>(chunk), chunk == left, att});
      work += static_cast<double>(chunk) + att / pairs_per_token_;
      tokens += chunk;
      pairs += att;
      ++seqs;
      if (chunk < left) break;  // this rank's work is full; finished requests stay a prefix
      ++logits;
      ++i;
    }
    // Two microbatches split each rank's tokens evenly (a prompt may straddle them). The step
    // is costed on the busiest rank's tokens and attention together (the GPU every layer waits
    // for), not on maxima taken from different ranks.
    if (work > busiest_work) {
      busiest_work = work;
      max_mb.tokens = (tokens + 1) / 2;
      max_mb.attended_pairs = pairs / 2;
    }
    max_mb.sequences = std::max(max_mb.sequences, (seqs + 1) / 2);
    logit_tokens = std::max(logit_tokens, logits);
    unit_tokens += static_cast<double>(tokens) / 2;
    unit_pairs += pairs / 2;
    if (now >= capture_at_ns_ && !captured_prefill_.done) {
      GpuStepWork g;
      g.mb.tokens = (tokens + 1) / 2;
      g.mb.sequences = (seqs + 1) / 2;
      g.mb.attended_pairs = pairs / 2;
      captured_prefill_.gpus.push_back(g);
    }
  }
  if (p.batch.empty()) {
    go_idle(p, next_ready, kPrefillKick, u, now);
    return;
  }
  const double ranks = static_cast<double>(p.queues.size());
  // Only loaded steps say how unevenly a full unit runs; a half-idle unit's ratios are noise.
  if (2 * unit_tokens / ranks >= budget_d / 2)
    prefill_straggler_.observe(static_cast<double>(max_mb.tokens), unit_tokens / ranks,
                               max_mb.attended_pairs, unit_pairs / ranks);
  StepQuery q{max_mb, unit_tokens, logit_tokens, prefill_experts_->draw_step_imbalance()};
  const TimeNs step_ns = prefill_timer_->step_ns(q);
  if (now >= capture_at_ns_ && !captured_prefill_.done) {
    const double routed = unit_tokens * s_.model.moe.top_k / s_.prefill.gpus_per_unit;
    for (auto& g : captured_prefill_.gpus) g.routed_tokens_mb = routed;
    captured_prefill_.step = prefill_timer_->step(q);
    captured_prefill_.at_ns = now;
    captured_prefill_.done = true;
  }
  p.busy = true;
  q_.push(now + std::max<TimeNs>(1, step_ns), EventPhase::kStep, kPrefillStepDone, u);
}

// Takes a queued request's work out of its rank's and unit's balancer loads.
void ServingSystem::drop_queued(std::uint32_t u, std::size_t rank, const QueuedPrefill& r) {
  PrefillUnit& p = prefill_[u];
  const double input_tok = static_cast<double>(std::int64_t{r.cached_tok} + r.computed_tok);
  const double att = causal_pairs(static_cast<double>(r.cached_tok), input_tok);
  RankLoad& l = p.loads[rank];
  --l.requests;
  l.tokens -= r.computed_tok;
  l.attention -= att;
  p.rank_lb->on_update(rank);
  --p.queued_requests;
  p.queued_computed_tok -= static_cast<double>(r.computed_tok);
  RankLoad& ul = prefill_unit_loads_[u];
  --ul.requests;
  ul.tokens -= r.computed_tok;
  ul.attention -= att;
  prefill_unit_lb_->on_update(u);
}

void ServingSystem::on_prefill_step_done(std::uint32_t u, TimeNs now) {
  end_prefill_chunks(u, now);
  prefill_unit_lb_->on_update(u);
  PrefillUnit& p = prefill_[u];
  p.busy = false;
  start_prefill_step(u, now);
}

void ServingSystem::end_prefill_chunks(std::uint32_t u, TimeNs now) {
  PrefillUnit& p = prefill_[u];
  // A step holds up to a few hundred chunks: the records of the requests they finish are
  // prefetched a few chunks ahead of the loop rather than all before it (measured faster on the
  // peak window).
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < std::min(kAhead, p.batch.size()); ++i) pool_.prefetch(p.batch[i].request);
  // No prefill pick comes before the loop ends (finish_prefill picks decode targets only), so the
  // rank balancer's tree is brought up to date once, at the end.
  const UpdateRun rank_updates(*p.rank_lb);
  for (std::size_t i = 0; i < p.batch.size(); ++i) {
    if (i + kAhead < p.batch.size()) pool_.prefetch(p.batch[i + kAhead].request);
    const PrefillChunk& c = p.batch[i];
    // A rank's chunks are the head of its queue, in order, and all but its last finish their
    // request: each chunk's request is at the head once the ones before it are popped.
    PrefillQueue& queue = p.queues[static_cast<std::size_t>(c.rank)];
    assert(queue.front().id == c.request);
    assert(c.finishes == (queue.front().left_tok() == c.tokens));
    RankLoad& l = p.loads[static_cast<std::size_t>(c.rank)];
    l.tokens -= c.tokens;
    l.attention -= c.attended_pairs;
    RankLoad& ul = prefill_unit_loads_[u];
    ul.tokens -= c.tokens;
    ul.attention -= c.attended_pairs;
    p.queued_computed_tok -= static_cast<double>(c.tokens);
    if (!c.finishes) {
      queue.front().prefilled_tok += c.tokens;
    } else {
      queue.pop_front();
      --l.requests;
      --ul.requests;
      --p.queued_requests;
      finish_prefill(c.request, now);
    }
    p.rank_lb->on_update(static_cast<std::size_t>(c.rank));
  }
}

void ServingSystem::finish_prefill(RequestId id, TimeNs now) {
  Request& r = pool_[id];
  r.first_token_ns = now;
  const TimeNs ttft = now - r.arrival_ns;
  const bool counted = in_window(r);
  if (counted) metrics_.on_prefill_done(now, ttft, r.input_tok, r.cached_tok);
  iv_ttft_s_.add(ns_to_seconds(ttft));
  if (r.output_tok <= 1) {  // the prefill's token was the whole answer
    if (counted) metrics_.on_complete(now, 0, r.input_tok, r.cached_tok, r.output_tok);
    ++completed_;
    pool_.release(id);
    return;
  }
  ++decode_streams_;
  if (!route_to_decode(id, now)) decode_waiting_.push_back(pool_, id);
}

// Picks a decode unit and rank with room for the request's KV and starts the KV transfer.
bool ServingSystem::route_to_decode(RequestId id, TimeNs now) {
  Request& r = pool_[id];
  const double kv = static_cast<double>(r.input_tok);
  LbRequest lr{r.input_tok, r.computed_tok(), r.cached_tok, r.output_tok, kv};
  const std::size_t u = decode_unit_lb_->pick(lr);
  if (u == LoadBalancer::kNoTarget) return false;
  DecodeUnit& d = decode_[u];
  const std::size_t rank = d.rank_lb->pick(lr);
  if (rank == LoadBalancer::kNoTarget) return false;
  r.decode_rank = static_cast<std::int32_t>(rank);
  const std::int64_t reserve = r.input_tok + r.output_tok;
  RankLoad& l = d.loads[rank];
  ++l.requests;
  l.tokens += reserve;
  l.attention += kv;
  peak_reserved_tok_ = std::max(peak_reserved_tok_, l.tokens);
  if (l.requests >= s_.decode.max_batch_per_gpu) l.accepting = false;
  d.rank_lb->on_update(rank);
  RankLoad& ul = decode_unit_loads_[u];
  ++ul.requests;
  ul.tokens += reserve;
  ul.attention += kv;
  decode_unit_lb_->on_update(u);
  // The whole KV cache (cached prefix included) moves to the decode GPU over RDMA.
  r.decode_join_ns = now + comm_cost_->kv_transfer_ns(kv * s_.model.kv_cache_bytes_per_token());
  d.joining.push_back(id);
  if (!d.busy) kick_at(d, r.decode_join_ns, kDecodeKick, static_cast<std::uint32_t>(u));
  return true;
}

void ServingSystem::retry_decode_waiting(TimeNs now) {
  while (!decode_waiting_.empty()) {
    const RequestId id = decode_waiting_.front();
    if (now - pool_[id].first_token_ns > max_queue_wait_ns_) {
      decode_waiting_.pop_front(pool_);
      --decode_streams_;
      reject(id, RejectReason::kDecodeCapacity, now);
      continue;
    }
    if (!route_to_decode(id, now)) break;  // FIFO: nobody overtakes the head
    decode_waiting_.pop_front(pool_);
  }
}

// ---------------------------------------------------------------- decode

void ServingSystem::decode_kick(std::uint32_t u, TimeNs now) {
  DecodeUnit& d = decode_[u];
  d.kick_pending = false;
  if (!d.busy) start_decode_step(u, now);
}

std::int64_t ServingSystem::admit_joining(DecodeUnit& d, RequestId id, TimeNs now) {
  Request& r = pool_[id];
  if (r.decode_join_ns > now) return kNotJoined;
  DecodeRank& rk = d.ranks[static_cast<std::size_t>(r.decode_rank)];
  ++rk.running;
  rk.kv_base += static_cast<double>(r.input_tok) - tokens_per_step_ * static_cast<double>(d.step);
  ++d.running;
  r.join_step = d.step;
  // Steps to produce the remaining output_tok - 1 tokens. With MTP each step yields 1 + Bernoulli
  // (acceptance); the count of steps is drawn from its renewal-theory normal approximation.
  const double n = static_cast<double>(r.output_tok - 1);
  std::int64_t steps = r.output_tok - 1;
  if (s_.decode.mtp) {
    const double p = s_.decode.mtp_acceptance, mu = 1 + p;
    const double mean = n / mu, sd = std::sqrt(n * p * (1 - p) / (mu * mu * mu));
    const auto drawn = pmath::llround(mtp_rng_.normal(mean, sd));
    steps = std::clamp<std::int64_t>(drawn, (r.output_tok - 1 + 1) / 2, r.output_tok - 1);
  }
  return d.step + std::max<std::int64_t>(1, steps);
}

void ServingSystem::start_decode_step(std::uint32_t u, TimeNs now) {
  DecodeUnit& d = decode_[u];
  // Requests whose KV has arrived join at this step boundary.
  TimeNs next_join = kTimeNever;
  std::size_t keep = 0;
  for (const RequestId id : d.joining) pool_.prefetch(id);  // scattered records: see on_decode_step_done
  admitted_.clear();
  for (std::size_t i = 0; i < d.joining.size(); ++i) {
    const RequestId id = d.joining[i];
    const std::int64_t finish_step = admit_joining(d, id, now);
    if (finish_step == kNotJoined) {
      next_join = std::min(next_join, pool_[id].decode_join_ns);
      d.joining[keep++] = id;
    } else {
      admitted_.push_back({finish_step, id});
    }
  }
  d.joining.resize(keep);
  d.finishing.push_all(admitted_);
  if (d.running == 0) {
    go_idle(d, next_join, kDecodeKick, u, now);
    return;
  }
  // The slowest rank sets the pace: most sequences and most KV.
  std::int32_t max_running = 0;
  double max_kv = 0, sum_kv = 0;
  for (const DecodeRank& rk : d.ranks) {
    max_running = std::max(max_running, rk.running);
    const double kv = d.kv_of(rk, tokens_per_step_);
    max_kv = std::max(max_kv, kv);
    sum_kv += kv;
  }
  const double ranks = static_cast<double>(d.ranks.size());
  if (static_cast<double>(d.running) / ranks >= static_cast<double>(s_.decode.max_batch_per_gpu) / 2)
    decode_straggler_.observe(max_running, static_cast<double>(d.running) / ranks, max_kv, sum_kv / ranks);
  const double tok_per_seq = s_.decode.mtp ? 2.0 : 1.0;
  StepQuery q;
  const std::int64_t mb_seqs = (max_running + 1) / 2;
  q.max_rank_mb.sequences = mb_seqs;
  q.max_rank_mb.tokens = static_cast<std::int64_t>(static_cast<double>(mb_seqs) * tok_per_seq);
  q.max_rank_mb.kv_tokens_read = max_kv / 2;
  q.max_rank_mb.attended_pairs = max_kv / 2 * tok_per_seq;
  q.unit_tokens_mb = static_cast<double>(d.running) / 2 * tok_per_seq;
  q.logit_tokens = static_cast<std::int64_t>(max_running * tok_per_seq);
  q.expert_imbalance = decode_experts_->draw_step_imbalance();
  const TimeNs step_ns = decode_timer_->step_ns(q);
  if (now >= capture_at_ns_ && !captured_decode_.done) {
    const double routed = q.unit_tokens_mb * s_.model.moe.top_k / s_.decode.gpus_per_unit;
    for (const DecodeRank& rk : d.ranks) {
      GpuStepWork g;
      const std::int64_t mb = (rk.running + 1) / 2;
      const double kv = d.kv_of(rk, tokens_per_step_) / 2;
      g.mb.sequences = mb;
      g.mb.tokens = static_cast<std::int64_t>(static_cast<double>(mb) * tok_per_seq);
      g.mb.kv_tokens_read = kv;
      g.mb.attended_pairs = kv * tok_per_seq;
      g.routed_tokens_mb = routed;
      captured_decode_.gpus.push_back(g);
    }
    captured_decode_.step = decode_timer_->step(q);
    captured_decode_.at_ns = now;
    captured_decode_.done = true;
  }
  d.busy = true;
  q_.push(now + std::max<TimeNs>(1, step_ns), EventPhase::kStep, kDecodeStepDone, u);
}

void ServingSystem::on_decode_step_done(std::uint32_t u, TimeNs now) {
  DecodeUnit& d = decode_[u];
  ++d.step;
  metrics_.on_decode_step(now, static_cast<double>(d.running) * tokens_per_step_);
  const std::vector<RequestId>& done = d.finishing.advance(d.step);
  // Their records are scattered over the pool: fetch them all at once, not one miss at a time.
  for (const RequestId id : done) pool_.prefetch(id);
  for (const RequestId id : done) {
    Request& r = pool_[id];
    const auto rank = static_cast<std::size_t>(r.decode_rank);
    DecodeRank& rk = d.ranks[rank];
    --rk.running;
    rk.kv_base -= static_cast<double>(r.input_tok) - tokens_per_step_ * static_cast<double>(r.join_step);
    if (rk.running == 0) rk.kv_base = 0;  // no drift from floating-point residue
    --d.running;
    const std::int64_t reserve = r.input_tok + r.output_tok;
    RankLoad& l = d.loads[rank];
    --l.requests;
    l.tokens -= reserve;
    l.attention -= static_cast<double>(r.input_tok);
    l.accepting = l.requests < s_.decode.max_batch_per_gpu;
    d.rank_lb->on_update(rank);
    RankLoad& ul = decode_unit_loads_[u];
    --ul.requests;
    ul.tokens -= reserve;
    ul.attention -= static_cast<double>(r.input_tok);
    const TimeNs tpot = (now - r.first_token_ns) / (r.output_tok - 1);
    if (in_window(r)) metrics_.on_complete(now, tpot, r.input_tok, r.cached_tok, r.output_tok);
    iv_stream_speed_.add(tpot > 0 ? 1e9 / static_cast<double>(tpot) : 0);
    --decode_streams_;
    ++completed_;
    pool_.release(id);
  }
  // The records of the next step's finishers are fetched during this step's costing and the
  // other units' events in between.
  for (const RequestId id : d.finishing.next_due()) pool_.prefetch(id);
  if (!done.empty()) {
    decode_unit_lb_->on_update(u);
    retry_decode_waiting(now);
  }
  d.busy = false;
  start_decode_step(u, now);
}

// ---------------------------------------------------------------- fleet

void ServingSystem::on_autoscale(TimeNs now) {
  FleetObservation o;
  o.now_ns = now;
  o.clock_h = std::fmod(s_.start_clock_h + ns_to_seconds(now) / 3600.0, 24.0);
  for (const auto& p : prefill_) o.prefill_units += holds_nodes(p.state);
  for (const auto& d : decode_) o.decode_units += holds_nodes(d.state);
  o.pool_nodes = s_.cluster_nodes;
  o.prefill_nodes_per_unit = s_.prefill.nodes_per_unit;
  o.decode_nodes_per_unit = s_.decode.nodes_per_unit;
  o.max_prefill_units = static_cast<int>(prefill_.size());
  o.max_decode_units = static_cast<int>(decode_.size());
  const double dt = ns_to_seconds(now - last_autoscale_ns_);
  const bool observed = now > 0 && iv_mix_.requests() > 0;
  // Before anything is observed, plan with the workload's nominal mix and first-hour rate.
  const RequestMix& mix = observed ? iv_mix_ : nominal_mix_;
  if (observed) {
    o.arrivals_per_s = static_cast<double>(iv_mix_.requests()) / dt;
  } else if (s_.workload.kind == "synthetic") {
    // The weights' hour holding the run's start.
    o.arrivals_per_s = hourly_rate_per_s(s_.workload, static_cast<std::size_t>(s_.workload.weights_offset_h));
  }
  o.computed_tok_per_s = o.arrivals_per_s * mix.mean_computed_tok();
  o.mean_output_tok = mix.mean_output_tok();
  for (const auto& p : prefill_) o.prefill_backlog_tok += p.queued_computed_tok;
  o.decode_streams = decode_streams_;
  o.prefill_unit_tok_per_s = prefill_unit_capacity_tok_per_s(mix);
  const double mean_kv = mix.kv_tok_per_output_tok();
  o.decode_unit_streams_at_slo = decode_unit_streams_at_slo(mean_kv);
  o.decode_unit_tok_per_s_at_slo = decode_unit_tok_per_s(o.decode_unit_streams_at_slo, mean_kv);
  o.decode_unit_streams_at_cap = decode_unit_streams_at_cap(mean_kv);
  o.decode_unit_tok_per_s_at_cap = decode_unit_tok_per_s(o.decode_unit_streams_at_cap, mean_kv);
  // The capacity the decision is planned with is also what the run's utilization is measured
  // against (prefill in input tokens, cache hits included, as the throughput is reported).
  const double computed = mix.mean_computed_tok();
  metrics_.on_capacity(now,
                       computed > 0 ? o.prefill_unit_tok_per_s * (computed + mix.mean_cached_tok()) / computed /
                                          s_.prefill.nodes_per_unit
                                    : 0,
                       o.decode_unit_tok_per_s_at_slo / s_.decode.nodes_per_unit);
  o.ttft_p99_s = iv_ttft_s_.quantile(0.99);
  o.stream_tok_per_s_p50 = iv_stream_speed_.quantile(0.5);
  const FleetTarget target = autoscaler_->decide(o);
  metrics_.on_decision(decision_record(o, target));
  apply_target(target, now);
  last_autoscale_ns_ = now;
  iv_mix_.clear();
  iv_ttft_s_.clear();
  iv_stream_speed_.clear();
}

FleetDecision ServingSystem::decision_record(const FleetObservation& o, const FleetTarget& t) const {
  FleetDecision d;
  d.t_h = ns_to_seconds(o.now_ns) / 3600.0;
  d.prefill_units_held = o.prefill_units;
  d.decode_units_held = o.decode_units;
  d.prefill_units_target = t.prefill_units;
  d.decode_units_target = t.decode_units;
  d.arrivals_per_s = o.arrivals_per_s;
  d.computed_tok_per_s = o.computed_tok_per_s;
  d.prefill_backlog_tok = o.prefill_backlog_tok;
  d.output_tok_per_s = o.decode_tok_per_s();
  d.decode_streams = o.decode_streams;
  d.prefill_unit_tok_per_s = o.prefill_unit_tok_per_s;
  d.decode_unit_tok_per_s_at_slo = o.decode_unit_tok_per_s_at_slo;
  d.decode_unit_tok_per_s_at_cap = o.decode_unit_tok_per_s_at_cap;
  d.decode_unit_streams_at_slo = o.decode_unit_streams_at_slo;
  d.decode_unit_streams_at_cap = o.decode_unit_streams_at_cap;
  // What the capacity queries were costed at (before the first placement they carry none, and
  // the timer's own applies).
  auto planned = [](const ExpertBalance& e, const StepTimer& t) {
    StepQuery q;
    q.expert_imbalance = e.planning_imbalance();
    return t.imbalance_of(q);
  };
  d.prefill_planning_imbalance = planned(*prefill_experts_, *prefill_timer_);
  d.decode_planning_imbalance = planned(*decode_experts_, *decode_timer_);
  d.ttft_p99_s = o.ttft_p99_s;
  d.stream_tok_per_s_p50 = o.stream_tok_per_s_p50;
  return d;
}

void ServingSystem::apply_target(const FleetTarget& t, TimeNs now) {
  auto adjust = [&](auto& units, std::vector<RankLoad>& unit_loads, LoadBalancer& lb, int target,
                    int nodes_per_unit, bool decode) {
    int held = 0;
    for (const auto& x : units) held += holds_nodes(x.state);
    int nodes_in_use = 0;
    for (const auto& p : prefill_) nodes_in_use += holds_nodes(p.state) * s_.prefill.nodes_per_unit;
    for (const auto& d : decode_) nodes_in_use += holds_nodes(d.state) * s_.decode.nodes_per_unit;
    // Grow: first take back draining units (no warm-up), then start off units.
    for (std::size_t i = 0; i < units.size() && held < target; ++i) {
      if (units[i].state != UnitState::kDraining) continue;
      units[i].state = UnitState::kActive;
      unit_loads[i].accepting = true;
      lb.on_update(i);
      ++held;
    }
    for (std::size_t i = 0; i < units.size() && held < target; ++i) {
      if (units[i].state != UnitState::kOff) continue;
      if (nodes_in_use + nodes_per_unit > s_.cluster_nodes) break;
      units[i].state = UnitState::kWarming;
      units[i].warm_at_ns = now + autoscaler_->warmup_ns();
      nodes_in_use += nodes_per_unit;
      ++held;
      q_.push(units[i].warm_at_ns, EventPhase::kControl, kUnitReady, static_cast<std::uint32_t>(i), decode ? 1 : 0);
    }
    // Shrink: first stop warming units (they serve nothing yet), then drain the highest-numbered
    // active ones (they finish what they hold). Draining a serving unit while a warming one
    // stays would leave the fleet short until the warm-up ends.
    int active_or_warming = 0;
    for (const auto& x : units) active_or_warming += x.state == UnitState::kActive || x.state == UnitState::kWarming;
    for (std::size_t i = units.size(); i-- > 0 && active_or_warming > target;) {
      if (units[i].state != UnitState::kWarming) continue;
      units[i].state = UnitState::kOff;
      --active_or_warming;
    }
    int active = 0;
    for (const auto& x : units) active += x.state == UnitState::kActive;
    for (std::size_t i = units.size(); i-- > 0 && active_or_warming > target && active > 1;) {
      if (units[i].state != UnitState::kActive) continue;
      --active;  // the last active unit keeps serving until a warming one is ready
      units[i].state = UnitState::kDraining;
      unit_loads[i].accepting = false;
      lb.on_update(i);
      --active_or_warming;
    }
  };
  adjust(decode_, decode_unit_loads_, *decode_unit_lb_, t.decode_units, s_.decode.nodes_per_unit, true);
  adjust(prefill_, prefill_unit_loads_, *prefill_unit_lb_, t.prefill_units, s_.prefill.nodes_per_unit, false);
  release_if_drained(now);
  update_node_metrics(now);
}

void ServingSystem::on_unit_ready(std::uint32_t u, bool decode, TimeNs now) {
  // A warm-up that was stopped (and perhaps started again since) has no say.
  if (now != (decode ? decode_[u].warm_at_ns : prefill_[u].warm_at_ns)) return;
  activate_unit(u, decode, now);
}

void ServingSystem::activate_unit(std::uint32_t u, bool decode, TimeNs now) {
  if (decode) {
    if (decode_[u].state != UnitState::kWarming) return;
    decode_[u].state = UnitState::kActive;
    decode_unit_loads_[u].accepting = true;
    decode_unit_lb_->on_update(u);
    retry_decode_waiting(now);
  } else {
    if (prefill_[u].state != UnitState::kWarming) return;
    prefill_[u].state = UnitState::kActive;
    prefill_unit_loads_[u].accepting = true;
    prefill_unit_lb_->on_update(u);
  }
  update_node_metrics(now);  // its node-time counts as active from now on
}

void ServingSystem::release_if_drained(TimeNs now) {
  bool changed = false;
  for (auto& p : prefill_)
    if (p.state == UnitState::kDraining && p.idle_and_empty()) {
      p.state = UnitState::kOff;
      changed = true;
    }
  for (auto& d : decode_)
    if (d.state == UnitState::kDraining && d.idle_and_empty()) {
      d.state = UnitState::kOff;
      d.step = 0;
      d.finishing.reset(0);
      changed = true;
    }
  if (changed) update_node_metrics(now);
}

void ServingSystem::update_node_metrics(TimeNs now) {
  auto count = [](const auto& units, int nodes_per_unit) {
    RoleNodes n;
    for (const auto& x : units) {
      if (x.state == UnitState::kWarming) n.warming += nodes_per_unit;
      if (x.state == UnitState::kActive) n.active += nodes_per_unit;
      if (x.state == UnitState::kDraining) n.draining += nodes_per_unit;
    }
    return n;
  };
  metrics_.on_nodes(now, count(prefill_, s_.prefill.nodes_per_unit), count(decode_, s_.decode.nodes_per_unit));
}

void ServingSystem::on_sample(TimeNs now) {
  FleetSnapshot snap;
  for (const auto& p : prefill_) {
    snap.prefill_nodes += holds_nodes(p.state) * s_.prefill.nodes_per_unit;
    snap.prefill_queue += p.queued_requests;
  }
  for (const auto& d : decode_) {
    snap.decode_nodes += holds_nodes(d.state) * s_.decode.nodes_per_unit;
    if (d.running > 0) snap.decode_gpus_active += s_.decode.gpus_per_unit;
    snap.decode_streams += d.running;
  }
  snap.expert_imbalance_prefill = prefill_timer_->expert_imbalance();
  snap.expert_imbalance_decode = decode_timer_->expert_imbalance();
  metrics_.sample(now, snap);
}

Json ServingSystem::step_trace() const {
  Json events = Json::array();
  double t_us = 0;
  const int sms = s_.hardware.gpu.sm_count;
  if (captured_prefill_.done) {
    const UnitSpec& u = s_.prefill;
    t_us = append_step_trace(events, "prefill", Phase::kPrefill, u.overlap, s_.model, *layer_cost_,
                             captured_prefill_.gpus, captured_prefill_.step,
                             SmSplit{u.overlap ? sms - u.comm_sms : sms, u.comm_sms}, u.slots_per_gpu, 0, 0);
  }
  if (captured_decode_.done) {
    const UnitSpec& u = s_.decode;
    append_step_trace(events, "decode", Phase::kDecode, u.overlap, s_.model, *layer_cost_,
                      captured_decode_.gpus, captured_decode_.step,
                      SmSplit{u.overlap ? sms - u.comm_sms : sms, u.comm_sms}, u.slots_per_gpu, 1000, 0);
  }
  (void)t_us;
  return Json{{"traceEvents", events}, {"displayTimeUnit", "ms"},
              {"otherData", {{"scenario", s_.name},
                             {"prefill_step_at_s", ns_to_seconds(captured_prefill_.at_ns)},
                             {"decode_step_at_s", ns_to_seconds(captured_decode_.at_ns)}}}};
}

// Expert placement is recomputed for the load shape the units run now: a prefill step at its
// token budget, a decode step at the current mean batch (the maximum before any is running).
void ServingSystem::on_eplb(TimeNs now) {
  prefill_experts_->rebalance(now, static_cast<double>(s_.prefill.token_budget_per_gpu) / 2);
  std::int64_t running = 0, gpus = 0;
  for (const auto& d : decode_)
    if (d.running > 0) {
      running += d.running;
      gpus += s_.decode.gpus_per_unit;
    }
  const double per_gpu = gpus ? static_cast<double>(running) / static_cast<double>(gpus)
                              : static_cast<double>(s_.decode.max_batch_per_gpu);
  const double tok_per_seq = s_.decode.mtp ? 2.0 : 1.0;
  decode_experts_->rebalance(now, std::max(1.0, per_gpu / 2 * tok_per_seq));
}

void ServingSystem::reject(RequestId id, RejectReason why, TimeNs now) {
  if (in_window(pool_[id])) metrics_.on_reject(now, why);
  ++rejected_;
  pool_.release(id);
}

}  // namespace fleetsim
