// A scenario (scenarios/*.json): what to simulate — cluster, deployment, workload, policies,
// pricing, SLOs, duration, seed — parsed into plain validated structs before any object exists.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/spec/hardware_spec.hpp"
#include "sim/spec/model_spec.hpp"
#include "sim/util/json_reader.hpp"

namespace fleetsim {

// One kind of serving unit (prefill or decode): its size and parallelism.
struct UnitSpec {
  int nodes_per_unit = 0;
  int gpus_per_unit = 0;  // derived: nodes_per_unit * gpus_per_node
  int dp_degree = 0;      // attention / shared-expert data parallelism
  int ep_degree = 0;      // routed-expert parallelism
  int redundant_experts = 0;
  int slots_per_gpu = 0;  // derived: (routed + redundant) / ep_degree
  bool overlap = true;    // dual-microbatch overlap (prefill) / 5-stage pipeline (decode)
  int comm_sms = 0;       // SMs given to communication kernels while computing
  // Prefill: tokens per GPU per step (the budget). Decode: max sequences per GPU.
  std::int64_t token_budget_per_gpu = 0;
  std::int64_t max_batch_per_gpu = 0;
  // Decode only: multi-token prediction.
  bool mtp = false;
  double mtp_acceptance = 0;
};

struct LengthDistSpec {
  std::string kind;  // "lognormal" (mean, cv, min, max) or "fixed" (mean)
  double mean = 0;
  double cv = 0;
  std::int64_t min_tok = 1;
  std::int64_t max_tok = 0;
};

struct WorkloadSpec {
  std::string kind;  // "synthetic" or "trace"
  // synthetic
  std::vector<double> hourly_weights;  // 24 relative rates, hour 0 = weights_start_clock_h
  // Hours from the first weight's wall-clock hour to the run's start, in [0, 24): 0 when the
  // scenario does not give weights_start_clock_h (the first weight is the run's first hour).
  double weights_offset_h = 0;
  // "linear": the rate moves linearly between hours (each hour keeps its weight's share of the
  // day); "step": constant within each hour, jumping at the hour.
  std::string hourly_shape = "linear";
  double requests_per_day = 0;          // total at scale 1
  LengthDistSpec input;
  LengthDistSpec output;
  double cache_hit_share = 0;
  // trace
  std::string trace_path;
  double trace_time_scale = 1.0;  // multiply trace timestamps
  int trace_repeat = 1;           // replay the trace this many times back to back
  std::int64_t kv_block_tok = 512;
  std::int64_t prefix_cache_blocks = 0;  // LRU capacity of the on-disk prefix cache
};

struct SloSpec {
  double ttft_p99_s = 0;
  double min_output_tok_per_s = 0;  // per stream
  double max_queue_wait_s = 0;      // a request not started within this is rejected
};

struct PricingSpec {
  double usd_per_gpu_hour = 0;
  // Theoretical revenue: every token at R1 prices.
  double r1_input_hit_usd_per_mtok = 0, r1_input_miss_usd_per_mtok = 0, r1_output_usd_per_mtok = 0;
  // Actual revenue.
  double v3_input_hit_usd_per_mtok = 0, v3_input_miss_usd_per_mtok = 0, v3_output_usd_per_mtok = 0;
  double v3_share = 0;    // share of tokens served at V3 prices
  double free_share = 0;  // share of tokens that are not monetised (web and app)
  double night_start_h = 0, night_end_h = 0;  // wall-clock window of the night discount
  double r1_night_discount = 0, v3_night_discount = 0;  // fraction off during the window
};

// A published figure the run is compared with: `metric` is a dotted path into summary.json.
struct ValidationTarget {
  std::string metric;
  std::string label;
  double published = 0;
  double tolerance_pct = 0;
  std::string source;
  // A quantity that grows with the load and the fleet (tokens, nodes, money): a run at --scale F
  // is compared with F times the published figure. Rates per node, speeds and margins are not.
  bool scales_with_load = false;
};

// A published day the run is compared with hour by hour (Day-6's charts): the node-count
// schedule as steps of the wall clock, and the hourly cost and theoretical-income bars.
struct PublishedNodeStep {
  double clock_h = 0;  // from this wall-clock hour on, until the next step (wrapping at midnight)
  double nodes = 0;
  // The step's split into whole units, where the scenario gives one (0 when it does not): it
  // lets the published fleet itself be simulated (the `schedule` autoscaler).
  int prefill_units = 0, decode_units = 0;
};
struct PublishedDay {
  std::vector<PublishedNodeStep> node_schedule;  // sorted by clock_h, all in [0, 24)
  double hours_start_clock_h = 0;                // wall-clock hour of the first hourly bar
  std::vector<double> hourly_cost_usd;           // 24 bars from hours_start_clock_h
  std::vector<double> hourly_theoretical_income_usd;
  // Nodes per unit of the published fleet, where the steps give units (the deployment may differ
  // in a what-if; the published fleet is then not simulated).
  int prefill_nodes_per_unit = 0, decode_nodes_per_unit = 0;
  std::string source;
  bool has_units() const { return !node_schedule.empty() && node_schedule.front().decode_units > 0; }
};

struct ScenarioSpec {
  std::string name;
  std::string file;
  std::uint64_t seed = 0;
  double scale = 1.0;
  TimeNs duration_ns = 0;
  double start_clock_h = 0;  // wall-clock hour at simulated t = 0
  TimeNs sample_interval_ns = 0;
  ModelSpec model;
  HardwareSpec hardware;
  int cluster_nodes = 0;  // the pool inference may use at most
  UnitSpec prefill;
  UnitSpec decode;
  double kv_reserve_fraction = 0;  // HBM kept for activations/buffers on decode GPUs
  WorkloadSpec workload;
  SloSpec slo;
  PricingSpec pricing;
  // Policies and models by name, as written (validated by their registries): the JSON of
  // scenario.policies is kept for the objects that resolve it.
  Json policies;
  TimeNs eplb_period_ns = 0;  // expert placement recomputed this often
  std::vector<ValidationTarget> validation;
  std::optional<PublishedDay> published_day;
  Json raw;  // the whole document after --set overrides (echoed into the summary)
};

// Loads a scenario and the model and hardware files it names (paths relative to the scenario
// file), applies `--set` overrides first and `scale` after. Throws ConfigError.
ScenarioSpec load_scenario(const std::string& path, const std::vector<std::string>& overrides = {},
                           double scale = 1.0);

}  // namespace fleetsim
