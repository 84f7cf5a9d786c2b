// `fleetsim plan`: the cheapest fleet that meets latency SLOs at a peak load. Searches unit shapes
// (unit size and EP degree, redundant experts, token/batch budgets, overlap, GPU type) and unit
// counts, running the simulator on every candidate it evaluates; analytic lower bounds from the
// cost model's unit capacity, dominance and short screening runs prune the rest.
//
// Prefill and decode are sized separately (each with the other side generously provisioned, since
// TTFT is set by prefill and stream speed by decode), then the cheapest pairs are simulated
// together to confirm them and to trace the cost-latency frontier, over a longer window and at
// several seeds (three EPLB periods and three seeds by default: one window at one seed sees one or
// two EPLB placements, whose luck can decide between close shapes). A fleet that misses there is
// grown, a unit at a time on the side that fell short, until it meets the SLOs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/util/json_reader.hpp"

namespace fleetsim {

struct PlanSlo {
  double ttft_p99_s = 0;            // 0: the scenario's slo.ttft_p99_s
  double min_output_tok_per_s = 0;  // median stream speed; 0: the scenario's slo.min_output_tok_per_s
  double tpot_p99_ms = 0;           // 0: not checked
};

// Where a plan stands, reported after each simulation and each shape sized, for a progress line.
struct PlanProgress {
  std::string stage;  // "prefill shapes", "decode shapes", "fleets", "grown fleets"
  std::size_t stage_done = 0;   // shapes sized, or the stage's fleet simulations finished
  std::size_t stage_total = 0;  // shapes to size, or fleet simulations to run, in the stage
  std::size_t simulations = 0;  // every simulation so far
  bool counts_simulations = false;  // the stage's work is simulations (known in number), not shapes
};
// Called from the planner's worker threads, one call at a time.
using PlanProgressFn = std::function<void(const PlanProgress&)>;

struct PlanSpec {
  std::string scenario;
  std::vector<std::string> overrides;
  double peak_rate_per_s = 0;  // 0: the workload's peak hour
  double load_fraction = 1.0;  // plan for this fraction of the peak rate (small for tests)
  PlanSlo slo;
  double window_s = 600;  // simulated window that decides a candidate
  double screen_s = 120;  // short window run first; a candidate failing it is not run in full
  // The fleet stage's window (0: three of the scenario's EPLB periods, and at least window_s) and
  // seeds (the scenario's and the next ones; a fleet counts with its worst).
  double confirm_window_s = 0;
  int confirm_seeds = 3;
  std::vector<std::string> hardware;  // hardware profile paths; empty: the scenario's
  std::vector<int> prefill_nodes_per_unit{2, 4};
  std::vector<int> decode_nodes_per_unit{4, 8, 18};
  std::vector<bool> overlap{true, false};
  bool vary_budgets = true;    // also half the scenario's token budget / max batch
  bool vary_redundant = true;  // also the fewest redundant experts that fit
  int max_extra_units = 12;    // units searched above the lower bound (at least up to 3x it); growth rounds
  int top_per_side = 3;        // cheapest shapes per side combined and confirmed together
  int jobs = 0;
  PlanProgressFn progress;  // none: silent
};

// One kind of unit: its hardware and shape. `budget` is the prefill token budget per GPU or the
// decode max batch per GPU.
struct UnitShape {
  std::string side;  // "prefill" or "decode"
  std::string hardware;
  int nodes_per_unit = 0;
  int gpus_per_unit = 0;
  int redundant_experts = 0;
  std::int64_t budget = 0;
  bool overlap = true;
  double usd_per_node_day = 0;
  std::string key() const;
};

struct Candidate {
  UnitShape prefill, decode;
  int prefill_units = 0, decode_units = 0;
  int nodes() const { return prefill_units * prefill.nodes_per_unit + decode_units * decode.nodes_per_unit; }
};

struct Evaluation {
  std::string stage;  // "prefill-screen", "prefill", "decode-screen", "decode", "fleet"
  Candidate c;
  std::vector<std::uint64_t> seeds;  // the seed simulated; for a fleet judged at several, all of them
  double cost_usd_per_day = 0;
  double ttft_p99_s = 0, output_tok_per_s_p50 = 0, tpot_p99_ms = 0;
  double rejected_share = 0;
  bool meets = false;
  std::vector<std::string> missed;  // the SLOs missed, if any, in the order they were checked
  std::string why() const;          // `missed` joined by "; " (empty when it met them all)
  // Which side a miss points at: prefill (TTFT, backlog, requests turned away before decode) or
  // decode (stream speed, TPOT, streams turned away waiting for a decode slot).
  bool prefill_short = false, decode_short = false;
};

struct ShapeBound {
  UnitShape shape;
  int lower_bound_units = 0;
  double unit_capacity = 0;  // computed tok/s (prefill) or streams at the SLO (decode)
  std::string fate;          // "sized", "pruned: bound", "infeasible"
  int units = 0;             // the fewest units that met the SLO
};

struct PlanResult {
  double peak_rate_per_s = 0;
  PlanSlo slo;
  double mean_input_tok = 0, mean_output_tok = 0, cache_hit_share = 0;
  std::vector<ShapeBound> shapes;
  std::vector<Evaluation> evaluations;  // every simulation, in a deterministic order
  std::vector<Evaluation> fleets;       // each fleet of the fleet stage, the worst of its seeds
  double confirm_window_s = 0;          // the fleet stage's window and seeds, as run
  int confirm_seeds = 1;
  std::size_t candidates_considered = 0, pruned_lower_bound = 0, pruned_dominated = 0,
              pruned_bound = 0, screened_out = 0, grown = 0;
  std::vector<Evaluation> best;      // SLO-meeting fleets, cheapest first
  std::vector<Evaluation> frontier;  // cost vs TTFT p99, non-dominated fleets
};

PlanResult plan_fleet(const PlanSpec& spec);

// The order fleets are ranked in: cheaper first, then the lower TTFT p99.
bool cheaper_fleet(const Evaluation& a, const Evaluation& b);

// One fleet judged at several seeds (`runs`, one seed each, in seed order): the worst of each
// figure (highest TTFT p99, TPOT p99 and rejected share, lowest median stream speed), every SLO
// missed at any seed (each once, in the order first seen), each side short at any seed; it meets
// the SLOs only if it meets them at every seed.
Evaluation worst_of(const std::vector<Evaluation>& runs);

// Judges fleets (one Evaluation each, in the order given); the planner's is the worst of its
// confirming seeds.
using FleetJudge = std::function<std::vector<Evaluation>(const std::vector<Candidate>&)>;

// Each fleet of `judged` that missed with a side short grows by a unit on every short side and is
// judged again, round by round (each round's new fleets judged together, in a fixed order; a fleet
// already judged is not judged again), until it meets the SLOs or after `max_rounds` rounds.
// Returns `judged` followed by every fleet judged on the way; `grown` counts those.
std::vector<Evaluation> grow_missed_fleets(std::vector<Evaluation> judged, int max_rounds,
                                           const FleetJudge& judge, std::size_t& grown);

// plan.json, plan.csv (every evaluation), plan.md (best fleets and frontier), plan.html (chart).
Json plan_to_json(const PlanSpec& spec, const PlanResult& r);
std::string plan_csv(const PlanResult& r);
std::string plan_markdown(const PlanSpec& spec, const PlanResult& r);
void write_plan(const PlanSpec& spec, const PlanResult& r, const std::string& out_dir);

}  // namespace fleetsim
