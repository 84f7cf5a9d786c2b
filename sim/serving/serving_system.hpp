// The simulated serving system: workload -> prefill units -> KV transfer -> decode units,
// driven by one event queue, with the fleet scaled by an autoscaler. One object per simulation
// (no global state), so several can run in one process.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/rng.hpp"
#include "sim/hw/comm_cost_model.hpp"
#include "sim/hw/layer_cost_model.hpp"
#include "sim/metrics/metrics.hpp"
#include "sim/serving/autoscaler.hpp"
#include "sim/serving/decode_unit.hpp"
#include "sim/serving/expert_balance.hpp"
#include "sim/serving/finish_calendar.hpp"
#include "sim/serving/prefill_unit.hpp"
#include "sim/serving/prefix_cache.hpp"
#include "sim/serving/request.hpp"
#include "sim/serving/step_timer.hpp"
#include "sim/serving/step_trace.hpp"
#include "sim/metrics/request_mix.hpp"
#include "sim/serving/nominal_request_mix.hpp"
#include "sim/serving/workload.hpp"
#include "sim/spec/scenario_spec.hpp"

namespace fleetsim {

struct RunStats {
  std::uint64_t events = 0;
  double wall_s = 0;
  TimeNs end_ns = 0;             // when the last request of the window ended (>= the window's end)
  std::uint64_t in_flight_at_end = 0;  // of the window's requests, those still in flight at its end
  double decode_kv_capacity_tok_per_gpu = 0;
};

// Called now and then during a run with (simulated time reached, events so far).
using ProgressFn = std::function<void(TimeNs sim_now, std::uint64_t events)>;

class ServingSystem {
 public:
  explicit ServingSystem(const ScenarioSpec& scenario);
  ~ServingSystem();

  // Runs to the end of the scenario's duration. Checks request conservation before returning
  // (throws std::logic_error if a request was lost).
  RunStats run(const ProgressFn& progress = {});

  const Metrics& metrics() const { return metrics_; }

  // Records the per-GPU shapes of the first prefill step and the first decode step that start at
  // or after `t` (for --trace-steps), and writes them as a Chrome trace after the run.
  void capture_steps_at(TimeNs t) { capture_at_ns_ = t; }
  Json step_trace() const;
  const ScenarioSpec& scenario() const { return s_; }

  // The modelled step of a unit at a given shape (for explain-step and capacity estimates).
  const StepTimer& prefill_timer() const { return *prefill_timer_; }
  const StepTimer& decode_timer() const { return *decode_timer_; }
  double decode_kv_capacity_tok_per_gpu() const { return kv_capacity_tok_; }
  // The most KV (prompt + full output, reserved at admission) any decode GPU held in the run.
  std::int64_t decode_peak_reserved_tok_per_gpu() const { return peak_reserved_tok_; }
  double decode_tokens_per_step() const { return tokens_per_step_; }
  // EPLB's updates in the window (all of them until it closes).
  const ExpertBalanceStats& prefill_expert_stats() const {
    return metrics_.window_closed() ? window_expert_stats_[0] : prefill_experts_->stats();
  }
  const ExpertBalanceStats& decode_expert_stats() const {
    return metrics_.window_closed() ? window_expert_stats_[1] : decode_experts_->stats();
  }

  // Capacity of one unit predicted by the cost model for a request mix (what the autoscaler
  // plans with): computed prompt tokens per second at the token budget, and the most streams
  // that keep the speed SLO at the mix's KV length per output token; both at the mean expert
  // imbalance of the placements so far (ExpertBalance::planning_imbalance).
  double prefill_unit_capacity_tok_per_s(const RequestMix& mix) const;
  // The prefill step at the token budget for a mix (the busiest rank full, the others at the
  // observed straggler ratio); `mean_tokens_per_gpu` receives the mean rank's computed tokens.
  StepQuery prefill_budget_query(const RequestMix& mix, double* mean_tokens_per_gpu = nullptr) const;
  double decode_unit_streams_at_slo(double mean_kv_tok) const;
  // The most streams a unit holds: the batch cap, or fewer when the KV does not fit.
  double decode_unit_streams_at_cap(double mean_kv_tok) const;
  // Output tokens per second of a decode unit holding `streams` streams.
  double decode_unit_tok_per_s(double streams, double mean_kv_tok) const;
  // The workload's mix before anything is observed.
  const RequestMix& nominal_mix() const { return nominal_mix_; }
  // Per-stream output speed (tok/s) of a decode unit with `batch_per_gpu` streams per GPU.
  double decode_stream_tok_per_s(double batch_per_gpu, double mean_kv_tok) const;
  // The decode step that speed is costed at: the busiest rank at the observed straggler ratio.
  StepQuery decode_capacity_query(double batch_per_gpu, double mean_kv_tok) const;
  // Each kind's expert-parallel load balancing (its placement's imbalance, and the one planned at).
  const ExpertBalance& prefill_experts() const { return *prefill_experts_; }
  const ExpertBalance& decode_experts() const { return *decode_experts_; }

 private:
  // Arrivals are not among them: the next one waits beside the queue (see run()).
  enum EventKind : std::uint32_t {
    kPrefillKick,
    kPrefillStepDone,
    kDecodeKick,
    kDecodeStepDone,
    kUnitReady,
    kAutoscale,
    kSample,
    kEplb,
  };

  void dispatch(const Event& e);
  bool arrival_is_next() const;
  TimeNs next_time_ns() const;  // of the next arrival or event; kTimeNever when none is left
  TimeNs dispatch_next();       // handles the next arrival or event; returns its time
  // Ends the window's figures (Metrics::close_window, EPLB's statistics); returns the window's
  // requests still in flight.
  std::uint64_t close_window();
  // A request that arrived in the scenario's window is counted; later ones only keep the load.
  bool in_window(const Request& r) const { return r.arrival_ns <= s_.duration_ns; }
  std::uint64_t in_window_live() const {
    return metrics_.arrived() - metrics_.completed() - metrics_.rejected();
  }
  // The exchange rate of the prefill work budget (see start_prefill_step), from the cost model.
  double prefill_pairs_per_token_time() const;
  void draw_next_arrival();
  void on_arrival(TimeNs now);
  // Queues a step-phase wake-up of unit u (prefill or decode) at `at`, unless one is queued.
  template <class Unit>
  void kick_at(Unit& unit, TimeNs at, EventKind kind, std::uint32_t u);
  // A unit with nothing to step: idle until `next` (kTimeNever: until work arrives). A draining
  // unit left idle and empty gives its nodes back now (release_if_drained).
  template <class Unit>
  void go_idle(Unit& unit, TimeNs next, EventKind kind, std::uint32_t u, TimeNs now);
  void prefill_kick(std::uint32_t u, TimeNs now);
  void start_prefill_step(std::uint32_t u, TimeNs now);
  void on_prefill_step_done(std::uint32_t u, TimeNs now);
  void end_prefill_chunks(std::uint32_t u, TimeNs now);  // the finished step's chunks, in order
  void drop_queued(std::uint32_t u, std::size_t rank, const QueuedPrefill& r);
  void finish_prefill(RequestId id, TimeNs now);
  bool route_to_decode(RequestId id, TimeNs now);
  void decode_kick(std::uint32_t u, TimeNs now);
  void start_decode_step(std::uint32_t u, TimeNs now);
  void on_decode_step_done(std::uint32_t u, TimeNs now);
  // Starts a request whose KV has arrived on its rank; returns the step it finishes at, or
  // kNotJoined while its KV is still on the way.
  static constexpr std::int64_t kNotJoined = -1;
  std::int64_t admit_joining(DecodeUnit& d, RequestId id, TimeNs now);
  void retry_decode_waiting(TimeNs now);
  void on_autoscale(TimeNs now);
  void apply_target(const FleetTarget& t, TimeNs now);
  FleetDecision decision_record(const FleetObservation& o, const FleetTarget& t) const;
  void on_unit_ready(std::uint32_t u, bool decode, TimeNs now);
  void activate_unit(std::uint32_t u, bool decode, TimeNs now);  // a warming unit starts serving
  void release_if_drained(TimeNs now);
  void update_node_metrics(TimeNs now);
  void on_sample(TimeNs now);
  void on_eplb(TimeNs now);
  void reject(RequestId id, RejectReason why, TimeNs now);
  void refresh_unit_loads();
  // The largest batch per decode GPU: the cap, or fewer when the KV does not fit.
  std::int64_t decode_batch_cap_per_gpu(double mean_kv_tok) const;

  const ScenarioSpec& s_;
  EventQueue q_;
  RequestPool pool_;
  Metrics metrics_;
  std::unique_ptr<Workload> workload_;
  std::unique_ptr<LayerCostModel> layer_cost_;
  std::unique_ptr<CommCostModel> comm_cost_;
  std::unique_ptr<StepTimer> prefill_timer_, decode_timer_;
  std::unique_ptr<Autoscaler> autoscaler_;
  std::unique_ptr<ExpertBalance> prefill_experts_, decode_experts_;
  std::optional<PrefixCache> prefix_cache_;
  std::vector<PrefillUnit> prefill_;
  std::vector<DecodeUnit> decode_;
  // Unit-level balancers see one RankLoad per unit (aggregates).
  std::vector<RankLoad> prefill_unit_loads_, decode_unit_loads_;
  std::unique_ptr<LoadBalancer> prefill_unit_lb_, decode_unit_lb_;
  RequestFifo decode_waiting_;  // prefilled requests no decode unit had room for
  std::vector<FinishCalendar::Entry> admitted_;  // scratch: the requests joining this step
  Rng mtp_rng_;
  Arrival next_arrival_;
  bool arrivals_done_ = false;
  double tokens_per_step_ = 1;
  double pairs_per_token_ = 1;  // attention pairs that cost a prefill GPU as much time as a token
  double kv_capacity_tok_ = 0;
  double storage_bytes_per_s_per_unit_ = 0;
  TimeNs max_queue_wait_ns_ = 0;  // slo.max_queue_wait_s: how long a request waits before it is turned away
  // Demand observed since the last autoscaler decision.
  RequestMix iv_mix_;
  std::int64_t peak_reserved_tok_ = 0;
  RequestMix nominal_mix_;
  LogHistogram iv_ttft_s_{1e-3, 1e4, 40}, iv_stream_speed_{0.01, 1e4, 40};
  TimeNs last_autoscale_ns_ = 0;
  std::uint64_t completed_ = 0, rejected_ = 0;
  std::array<ExpertBalanceStats, 2> window_expert_stats_{};  // prefill, decode, at the window's end
  std::int64_t decode_streams_ = 0;  // running + joining, all decode units
  // Stragglers seen in the run: max over ranks / mean over ranks of a step's work, as moving
  // averages. The capacity the autoscaler plans with is costed on these, so it reflects the
  // imbalance the balancers leave, not a perfectly even split.
  struct Straggler {
    double tokens = 1, attention = 1;
    void observe(double max_tok, double mean_tok, double max_att, double mean_att) {
      constexpr double kAlpha = 0.01;  // about the last hundred steps
      if (mean_tok > 0) tokens += kAlpha * (max_tok / mean_tok - tokens);
      if (mean_att > 0) attention += kAlpha * (max_att / mean_att - attention);
    }
  };
  Straggler prefill_straggler_, decode_straggler_;
  struct CapturedStep {
    bool done = false;
    TimeNs at_ns = 0;
    std::vector<GpuStepWork> gpus;
    StepResult step;
  };
  TimeNs capture_at_ns_ = kTimeNever;
  CapturedStep captured_prefill_, captured_decode_;
};

}  // namespace fleetsim
