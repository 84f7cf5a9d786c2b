// Observers of the serving system: counters, latency histograms, node-time integration by hour
// and a sampled timeline. Schedulers call the on_* hooks; reports read the results. Cost and
// revenue are computed from these counters afterwards (economics.hpp), never in a scheduler.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/metrics/histogram.hpp"
#include "sim/metrics/request_mix.hpp"

namespace fleetsim {

enum class RejectReason : std::uint8_t {
  kNoPrefillUnit,      // no prefill unit accepting requests
  kPrefillQueueWait,   // waited longer than slo.max_queue_wait_s before its prefill started
  kKvStorageBacklog,   // its cached prefix could not be read from the KV store within that wait
  kDecodeCapacity,     // waited longer than slo.max_queue_wait_s for decode KV capacity
  kTooLong,            // input + output exceed a decode GPU's KV capacity
  kCount
};
const char* reject_reason_name(RejectReason r);

struct HourBucket {
  double node_s = 0, prefill_node_s = 0, decode_node_s = 0;
  double input_tok = 0, cached_tok = 0, output_tok = 0;
  std::uint64_t arrivals = 0, completed = 0;
};

struct TimelineRow {
  double t_h = 0;
  int nodes_prefill = 0, nodes_decode = 0;
  double arrivals_per_s = 0, input_tok_per_s = 0, output_tok_per_s = 0;
  double prefill_tok_per_s_per_node = 0, decode_tok_per_s_per_node = 0;
  double decode_batch_per_gpu = 0, output_tok_per_s_per_stream = 0;
  double ttft_p50_s = 0, ttft_p99_s = 0, tpot_p50_ms = 0, tpot_p99_ms = 0;
  std::int64_t prefill_queue = 0;
  // Max/mean routed tokens per GPU under each kind's current expert placement.
  double expert_imbalance_prefill = 0, expert_imbalance_decode = 0;
  std::uint64_t rejected = 0;  // requests turned away during the interval, any reason
};

// Nodes one role (prefill or decode) holds, by what their units are doing.
struct RoleNodes {
  int warming = 0, active = 0, draining = 0;
  int held() const { return warming + active + draining; }
};
// The same, integrated over time.
struct RoleNodeSeconds {
  double warming = 0, active = 0, draining = 0;
  double held() const { return warming + active + draining; }
};

// One fleet decision: what the autoscaler was shown and what it asked for (the fleet_decisions
// series; it answers "why did the fleet do that?" without a trace in the policy). Capacities are
// per unit, from the cost model, at the planning expert imbalance.
struct FleetDecision {
  double t_h = 0;
  int prefill_units_held = 0, decode_units_held = 0;      // warming, active or draining
  int prefill_units_target = 0, decode_units_target = 0;  // the policy's answer
  double arrivals_per_s = 0;
  double computed_tok_per_s = 0;   // prompt tokens to compute (cache hits excluded)
  double prefill_backlog_tok = 0;  // computed tokens queued at the decision
  double output_tok_per_s = 0;     // decode tokens the arrivals ask for (the first is prefill's)
  std::int64_t decode_streams = 0;
  double prefill_unit_tok_per_s = 0;
  double decode_unit_tok_per_s_at_slo = 0, decode_unit_tok_per_s_at_cap = 0;
  double decode_unit_streams_at_slo = 0, decode_unit_streams_at_cap = 0;
  double prefill_planning_imbalance = 0, decode_planning_imbalance = 0;
  double ttft_p99_s = 0, stream_tok_per_s_p50 = 0;  // seen over the interval before
};

// What the serving system reports at each sampling instant.
struct FleetSnapshot {
  int prefill_nodes = 0, decode_nodes = 0;  // allocated (warming, active or draining)
  int decode_gpus_active = 0;
  std::int64_t decode_streams = 0;
  std::int64_t prefill_queue = 0;
  // Max/mean routed tokens per GPU under each kind's current expert placement.
  double expert_imbalance_prefill = 0, expert_imbalance_decode = 0;
};

class Metrics {
 public:
  Metrics(TimeNs duration_ns, TimeNs sample_interval_ns);

  void on_arrival(TimeNs now);
  void on_reject(TimeNs now, RejectReason reason);
  void on_prefill_done(TimeNs now, TimeNs ttft_ns, std::int64_t input_tok, std::int64_t cached_tok);
  void on_decode_step(TimeNs now, double output_tok);
  void on_complete(TimeNs now, TimeNs tpot_ns, std::int64_t input_tok, std::int64_t cached_tok,
                   std::int64_t output_tok);
  void on_nodes(TimeNs now, const RoleNodes& prefill, const RoleNodes& decode);
  // From `now` on, an active node can serve this many tokens per second (prefill input, decode
  // output at the speed SLO), as the cost model predicts.
  void on_capacity(TimeNs now, double prefill_input_tok_per_s_per_node, double decode_output_tok_per_s_per_node);
  void sample(TimeNs now, const FleetSnapshot& snap);
  void on_decision(const FleetDecision& d);
  // The end of the simulated window: node-time, capacity, tokens and the timeline stop here.
  // The requests that arrived in it and are still in flight run on (the serving system keeps its
  // load, so that they see the same contention) and are counted when they complete or are
  // rejected, with their latencies; their tokens past the end are not the window's.
  void close_window(TimeNs end);
  bool window_closed() const { return closed_; }

  std::uint64_t arrived() const { return arrived_; }
  std::uint64_t completed() const { return completed_; }
  std::uint64_t rejected() const;
  std::uint64_t rejected(RejectReason r) const { return rejected_[static_cast<int>(r)]; }
  std::uint64_t rejected_after_close() const { return rejected_after_close_; }  // not in the timeline
  double input_tok() const { return input_tok_; }
  double cached_tok() const { return cached_tok_; }
  double output_tok() const { return output_tok_; }        // tokens generated (prefill's + decode's)
  double prefill_node_s() const { return prefill_node_s_.held(); }
  double decode_node_s() const { return decode_node_s_.held(); }
  double node_s() const { return prefill_node_s() + decode_node_s(); }
  const RoleNodeSeconds& prefill_node_s_by_state() const { return prefill_node_s_; }
  const RoleNodeSeconds& decode_node_s_by_state() const { return decode_node_s_; }
  // Tokens the active nodes could have served over the run, at the capacity in force.
  double prefill_capacity_tok() const { return prefill_capacity_tok_; }
  double decode_capacity_tok() const { return decode_capacity_tok_; }
  int peak_nodes() const { return peak_nodes_; }
  int min_nodes() const { return min_nodes_; }
  const LogHistogram& ttft_s() const { return ttft_s_; }
  const LogHistogram& tpot_ms() const { return tpot_ms_; }
  const LogHistogram& stream_tok_per_s() const { return stream_tok_per_s_; }
  // Decode tokens over the time streams spent producing them: the speed an output token sees
  // (the per-request mean weighs a 5-token answer like a 5,000-token one).
  double token_weighted_stream_tok_per_s() const { return stream_s_ > 0 ? stream_tokens_ / stream_s_ : 0; }
  // The lengths of the completed requests: the workload as realised, including the KV length an
  // output token is produced with (Day-6's "average KV-cache length per output token").
  const RequestMix& completed_mix() const { return completed_mix_; }
  const std::vector<HourBucket>& hours() const { return hours_; }
  const std::vector<TimelineRow>& timeline() const { return timeline_; }
  // The window's fleet decisions, the first at its start.
  const std::vector<FleetDecision>& decisions() const { return decisions_; }
  TimeNs sample_interval_ns() const { return sample_interval_ns_; }

 private:
  void advance_nodes(TimeNs now);
  HourBucket& hour_of(TimeNs t);
  static LogHistogram ttft_hist() { return LogHistogram(1e-3, 1e4, 40); }
  static LogHistogram tpot_hist() { return LogHistogram(1.0, 1e5, 40); }

  TimeNs sample_interval_ns_;
  bool closed_ = false;
  std::uint64_t rejected_after_close_ = 0;
  std::uint64_t arrived_ = 0, completed_ = 0;
  std::array<std::uint64_t, static_cast<int>(RejectReason::kCount)> rejected_{};
  double input_tok_ = 0, cached_tok_ = 0, output_tok_ = 0;
  LogHistogram ttft_s_ = ttft_hist(), tpot_ms_ = tpot_hist();
  LogHistogram stream_tok_per_s_ = LogHistogram(0.01, 1e4, 40);
  double stream_tokens_ = 0, stream_s_ = 0;
  RequestMix completed_mix_;
  std::vector<HourBucket> hours_;
  // Node-time integration.
  TimeNs nodes_since_ns_ = 0;
  RoleNodes prefill_nodes_, decode_nodes_;
  int peak_nodes_ = 0, min_nodes_ = 0;
  bool nodes_seen_ = false;
  RoleNodeSeconds prefill_node_s_, decode_node_s_;
  double prefill_capacity_per_node_ = 0, decode_capacity_per_node_ = 0;
  double prefill_capacity_tok_ = 0, decode_capacity_tok_ = 0;
  // Interval state for the timeline.
  std::vector<TimelineRow> timeline_;
  std::vector<FleetDecision> decisions_;
  TimeNs last_sample_ns_ = 0;
  std::uint64_t iv_arrivals_ = 0, iv_rejected_ = 0;
  double iv_input_ = 0, iv_output_ = 0, iv_prefill_node_s_ = 0, iv_decode_node_s_ = 0;
  LogHistogram iv_ttft_s_ = ttft_hist(), iv_tpot_ms_ = tpot_hist();
};

}  // namespace fleetsim
