// Fleet scaling policies: how many prefill and decode units to hold, decided every interval
// from what the serving system observed and from the capacity its cost model predicts.
// Registered by name; selected in scenario.policies.autoscaler.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/spec/scenario_spec.hpp"
#include "sim/util/registry.hpp"

namespace fleetsim {

struct FleetObservation {
  TimeNs now_ns = 0;
  double clock_h = 0;  // wall-clock hour now
  int prefill_units = 0, decode_units = 0;  // held now (warming + active + draining)
  int max_prefill_units = 0, max_decode_units = 0;  // if the whole pool went to one kind
  int pool_nodes = 0, prefill_nodes_per_unit = 0, decode_nodes_per_unit = 0;
  // Demand over the last interval (or the workload's nominal rate at t = 0).
  double arrivals_per_s = 0;
  double computed_tok_per_s = 0;    // prefill tokens to compute per second
  double prefill_backlog_tok = 0;   // computed tokens queued now
  double mean_output_tok = 0;       // per request
  std::int64_t decode_streams = 0;  // running + waiting to join
  // Capacity per unit predicted by the cost model at the observed request shape.
  double prefill_unit_tok_per_s = 0;    // computed tokens per second at the token budget
  double decode_unit_streams_at_slo = 0;  // streams at min_output_tok_per_s
  double decode_unit_tok_per_s_at_slo = 0;  // output tokens per second at that batch
  // The same at the largest batch a unit holds (batch cap or KV), where streams run below the
  // SLO but nothing waits: the most a unit serves.
  double decode_unit_streams_at_cap = 0;
  double decode_unit_tok_per_s_at_cap = 0;
  // Service levels seen in the last interval.
  double ttft_p99_s = 0;
  double stream_tok_per_s_p50 = 0;

  // Output tokens per second the arrivals ask of decode (each request's first comes from prefill).
  double decode_tok_per_s() const { return arrivals_per_s * std::max(0.0, mean_output_tok - 1); }
};

struct FleetTarget {
  int prefill_units = 0;
  int decode_units = 0;
};

class Autoscaler {
 public:
  virtual ~Autoscaler() = default;
  virtual std::string name() const = 0;
  virtual TimeNs interval_ns() const = 0;
  virtual TimeNs warmup_ns() const = 0;
  virtual FleetTarget decide(const FleetObservation& obs) = 0;
};

using AutoscalerRegistry = Registry<Autoscaler, const ScenarioSpec&>;
const AutoscalerRegistry& autoscalers();

// Fits a target into the node pool: each kind keeps at least one unit; when the pool is short,
// both kinds are cut in proportion to their demand.
FleetTarget fit_to_pool(FleetTarget want, const FleetObservation& obs);

}  // namespace fleetsim
