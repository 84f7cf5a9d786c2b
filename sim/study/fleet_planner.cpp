// Fleet planner: candidate enumeration, analytic bounds, per-side sizing, fleet confirmation.
#include "sim/study/fleet_planner.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "sim/serving/simulation.hpp"
#include "sim/metrics/metric_paths.hpp"
#include "sim/study/parallel_runner.hpp"

namespace fleetsim {

std::string Evaluation::why() const {
  std::string out;
  for (const std::string& m : missed) {
    if (!out.empty()) out += "; ";
    out += m;
  }
  return out;
}

bool cheaper_fleet(const Evaluation& a, const Evaluation& b) {
  if (a.cost_usd_per_day != b.cost_usd_per_day) return a.cost_usd_per_day < b.cost_usd_per_day;
  return a.ttft_p99_s < b.ttft_p99_s;
}

Evaluation worst_of(const std::vector<Evaluation>& runs) {
  if (runs.empty()) throw std::invalid_argument("worst_of: no seed's run to judge");
  Evaluation w = runs.front();
  w.seeds.clear();
  w.missed.clear();
  for (const Evaluation& e : runs) {
    w.seeds.push_back(e.seeds.front());
    w.ttft_p99_s = std::max(w.ttft_p99_s, e.ttft_p99_s);
    w.output_tok_per_s_p50 = std::min(w.output_tok_per_s_p50, e.output_tok_per_s_p50);
    w.tpot_p99_ms = std::max(w.tpot_p99_ms, e.tpot_p99_ms);
    w.rejected_share = std::max(w.rejected_share, e.rejected_share);
    w.meets = w.meets && e.meets;
    w.prefill_short = w.prefill_short || e.prefill_short;
    w.decode_short = w.decode_short || e.decode_short;
    for (const std::string& m : e.missed)
      if (std::find(w.missed.begin(), w.missed.end(), m) == w.missed.end()) w.missed.push_back(m);
  }
  return w;
}

namespace {

// Shapes sized at once: a fixed wave (not the thread count) keeps the bound pruning, and so the
// result, independent of --jobs.
constexpr std::size_t kWaveShapes = 4;
// Rejections a fleet may have and still meet the SLOs (share of arrivals).
constexpr double kMaxRejectedShare = 0.001;
// EPLB periods the fleet stage's window spans by default: each period's placement draws its own
// imbalance (1.6-1.9 at the Day-6 peak), and a fleet sized on one or two of them can miss on the
// next (docs/planning.md, the Day-6 peak).
constexpr double kConfirmEplbPeriods = 3;

std::string num(double v) { return Json(v).dump(); }

// Scenario overrides that make `c` a fixed fleet serving a flat load at `rate` for `duration_s`
// (at `seed`, if given, instead of the scenario's).
std::vector<std::string> candidate_overrides(const PlanSpec& p, const PlanSlo& slo, double rate,
                                             const Candidate& c, double duration_s,
                                             std::optional<std::uint64_t> seed) {
  std::vector<std::string> o = p.overrides;
  if (seed) o.push_back("seed=" + std::to_string(*seed));
  if (!c.prefill.hardware.empty()) o.push_back("hardware=" + Json(c.prefill.hardware).dump());
  o.push_back("workload.hourly_weights=" + Json(std::vector<double>(24, 1.0)).dump());
  o.push_back("workload.requests_per_day=" + num(rate * 86400.0));
  o.push_back("duration_s=" + num(duration_s));
  o.push_back("cluster.nodes=" + std::to_string(std::max(1, c.nodes())));
  o.push_back("slo.ttft_p99_s=" + num(slo.ttft_p99_s));
  o.push_back("slo.min_output_tok_per_s=" + num(slo.min_output_tok_per_s));
  for (const UnitShape* u : {&c.prefill, &c.decode}) {
    const std::string d = "deployment." + u->side + ".";
    o.push_back(d + "nodes_per_unit=" + std::to_string(u->nodes_per_unit));
    o.push_back(d + "ep_degree=" + std::to_string(u->gpus_per_unit));
    o.push_back(d + "dp_degree=" + std::to_string(u->gpus_per_unit));
    o.push_back(d + "redundant_experts=" + std::to_string(u->redundant_experts));
    o.push_back(d + std::string("overlap=") + (u->overlap ? "true" : "false"));
    o.push_back(d + (u->side == "prefill" ? "token_budget_per_gpu=" : "max_batch_per_gpu=") +
                std::to_string(u->budget));
  }
  o.push_back("policies.autoscaler=" + Json{{"name", "fixed"},
                                            {"params", {{"prefill_units", c.prefill_units},
                                                        {"decode_units", c.decode_units}}}}
                                           .dump());
  return o;
}

// Counts the plan's work and passes it to PlanSpec::progress, one call at a time.
class ProgressReporter {
 public:
  explicit ProgressReporter(const PlanProgressFn& fn) : fn_(fn) {}
  void begin_stage(std::string stage, std::size_t total, bool counts_simulations) {
    const std::lock_guard<std::mutex> lock(mu_);
    state_.stage = std::move(stage);
    state_.stage_done = 0;
    state_.stage_total = total;
    state_.counts_simulations = counts_simulations;
    report();
  }
  // A simulation finished; in a stage that counts simulations, it is one of the stage's.
  void simulation_done() {
    const std::lock_guard<std::mutex> lock(mu_);
    ++state_.simulations;
    if (state_.counts_simulations) ++state_.stage_done;
    report();
  }
  void shape_done() {
    const std::lock_guard<std::mutex> lock(mu_);
    ++state_.stage_done;
    report();
  }

 private:
  void report() {
    if (fn_) fn_(state_);
  }
  const PlanProgressFn& fn_;
  std::mutex mu_;
  PlanProgress state_;
};

struct Planner {
  const PlanSpec& p;
  PlanResult& r;
  ProgressReporter& progress;
  double rate = 0;
  std::uint64_t scenario_seed = 0;

  ScenarioSpec load(const Candidate& c, double duration_s, std::optional<std::uint64_t> seed = {}) const {
    return load_scenario(p.scenario, candidate_overrides(p, r.slo, rate, c, duration_s, seed), 1.0);
  }

  Evaluation evaluate(const std::string& stage, const Candidate& c, double duration_s,
                      std::optional<std::uint64_t> seed = {}) const {
    Evaluation e;
    e.stage = stage;
    e.c = c;
    e.seeds = {seed.value_or(scenario_seed)};
    e.cost_usd_per_day = c.prefill_units * c.prefill.nodes_per_unit * c.prefill.usd_per_node_day +
                         c.decode_units * c.decode.nodes_per_unit * c.decode.usd_per_node_day;
    const ScenarioSpec s = load(c, duration_s, seed);
    const SimulationResult sim = simulate(s);
    progress.simulation_done();
    const Json& j = sim.summary;
    auto m = [&](const char* path) { return metric_at(j, path).value_or(0.0); };
    e.ttft_p99_s = m("latency.ttft_s.p99");
    e.output_tok_per_s_p50 = m("latency.output_tok_per_s.p50");
    e.tpot_p99_ms = m("latency.tpot_ms.p99");
    const double arrived = std::max(1.0, m("requests.arrived"));
    e.rejected_share = m("requests.rejected") / arrived;
    // A request too large for any GPU's KV is turned away however many units there are.
    const double decode_rejected = m("requests.rejected_by_reason.decode_kv_capacity_wait");
    const double prefill_rejected = m("requests.rejected") - decode_rejected -
                                    m("requests.rejected_by_reason.exceeds_gpu_kv_capacity");
    // Requests still waiting for their first token at the end: more than those arriving within the
    // last TTFT-SLO seconds (with a margin) means a queue that grows, whatever the TTFT of the rest.
    const double unstarted = (arrived - m("requests.rejected") - m("latency.ttft_s.count")) / arrived;
    const bool prefill_side = stage.rfind("decode", 0) != 0;
    const bool decode_side = stage.rfind("prefill", 0) != 0;
    auto miss = [&](const char* what, bool& side) {
      e.missed.emplace_back(what);
      side = true;
    };
    if (e.rejected_share > kMaxRejectedShare) {
      e.missed.emplace_back("rejections");
      // The side whose own rejections are over the limit; if neither's alone is, the one with more.
      const double limit = kMaxRejectedShare * arrived;
      e.prefill_short = prefill_rejected > limit;
      e.decode_short = decode_rejected > limit;
      if (!e.prefill_short && !e.decode_short && prefill_rejected + decode_rejected > 0)
        (decode_rejected >= prefill_rejected ? e.decode_short : e.prefill_short) = true;
    }
    if (prefill_side && unstarted > 1.5 * r.slo.ttft_p99_s / duration_s + 0.01) miss("prefill backlog", e.prefill_short);
    if (prefill_side && e.ttft_p99_s > r.slo.ttft_p99_s) miss("TTFT p99", e.prefill_short);
    if (decode_side && e.output_tok_per_s_p50 < r.slo.min_output_tok_per_s) miss("stream speed", e.decode_short);
    if (decode_side && r.slo.tpot_p99_ms > 0 && e.tpot_p99_ms > r.slo.tpot_p99_ms) miss("TPOT p99", e.decode_short);
    e.meets = e.missed.empty();
    return e;
  }
};

std::string candidate_key(const Candidate& c) {
  return c.prefill.key() + " x" + std::to_string(c.prefill_units) + " | " + c.decode.key() + " x" +
         std::to_string(c.decode_units);
}

// A missed fleet can grow when its miss points at a side.
bool can_grow(const Evaluation& e) { return !e.meets && (e.prefill_short || e.decode_short); }

std::vector<int> redundant_options(int routed, int ep, int scenario_redundant, bool vary) {
  std::vector<int> out;
  int fewest = 0;
  while ((routed + fewest) % ep != 0) ++fewest;
  out.push_back(fewest);
  if (vary && scenario_redundant != fewest && (routed + scenario_redundant) % ep == 0)
    out.push_back(scenario_redundant);
  if (!vary && scenario_redundant != fewest && (routed + scenario_redundant) % ep == 0)
    out = {scenario_redundant};
  return out;
}

}  // namespace

std::vector<Evaluation> grow_missed_fleets(std::vector<Evaluation> fe, int max_rounds,
                                           const FleetJudge& judge, std::size_t& grown) {
  std::map<std::string, std::size_t> judged_at;  // candidate -> index in fe
  for (std::size_t i = 0; i < fe.size(); ++i) judged_at.emplace(candidate_key(fe[i].c), i);
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < fe.size(); ++i)
    if (can_grow(fe[i])) open.push_back(i);
  for (int round = 0; round < max_rounds && !open.empty(); ++round) {
    std::vector<Candidate> fresh;
    std::vector<std::size_t> next;
    for (const std::size_t i : open) {
      Candidate c = fe[i].c;
      c.prefill_units += fe[i].prefill_short ? 1 : 0;
      c.decode_units += fe[i].decode_short ? 1 : 0;
      const auto [it, is_new] = judged_at.emplace(candidate_key(c), fe.size() + fresh.size());
      if (is_new) fresh.push_back(c);
      if (std::find(next.begin(), next.end(), it->second) == next.end()) next.push_back(it->second);
    }
    if (!fresh.empty()) {
      std::vector<Evaluation> judged = judge(fresh);
      for (auto& e : judged) fe.push_back(std::move(e));
      grown += fresh.size();
    }
    open.clear();
    for (const std::size_t i : next)
      if (can_grow(fe[i])) open.push_back(i);
  }
  return fe;
}

std::string UnitShape::key() const {
  return side + " " + std::filesystem::path(hardware).stem().string() + " " +
         std::to_string(nodes_per_unit) + "n EP" + std::to_string(gpus_per_unit) + " r" +
         std::to_string(redundant_experts) + (side == "prefill" ? " tok" : " batch") +
         std::to_string(budget) + (overlap ? " overlap" : " no-overlap");
}

PlanResult plan_fleet(const PlanSpec& p) {
  PlanResult r;
  const ScenarioSpec base = load_scenario(p.scenario, p.overrides, 1.0);
  if (base.workload.kind != "synthetic")
    throw ConfigError(p.scenario, "/workload/type", "a synthetic workload for `fleetsim plan`");
  r.slo.ttft_p99_s = p.slo.ttft_p99_s > 0 ? p.slo.ttft_p99_s : base.slo.ttft_p99_s;
  r.slo.min_output_tok_per_s =
      p.slo.min_output_tok_per_s > 0 ? p.slo.min_output_tok_per_s : base.slo.min_output_tok_per_s;
  r.slo.tpot_p99_ms = p.slo.tpot_p99_ms;
  const auto& w = base.workload.hourly_weights;
  double sum_w = 0, max_w = 0;
  for (double x : w) sum_w += x, max_w = std::max(max_w, x);
  const double peak = p.peak_rate_per_s > 0 ? p.peak_rate_per_s
                                            : base.workload.requests_per_day * max_w / sum_w / 3600.0;
  r.peak_rate_per_s = peak * p.load_fraction;
  r.mean_input_tok = base.workload.input.mean;
  r.mean_output_tok = base.workload.output.mean;
  r.cache_hit_share = base.workload.cache_hit_share;
  ProgressReporter progress(p.progress);
  Planner pl{p, r, progress, r.peak_rate_per_s, base.seed};

  // Every unit shape of every hardware profile, per side.
  std::vector<std::string> hardware = p.hardware;
  if (hardware.empty()) hardware.push_back("");
  std::map<std::string, std::vector<UnitShape>> shapes;  // "prefill"/"decode" -> shapes
  std::map<std::string, std::pair<UnitShape, UnitShape>> reference;  // hardware -> scenario's shapes
  for (const auto& hw : hardware) {
    std::vector<std::string> ov = p.overrides;
    if (!hw.empty()) ov.push_back("hardware=" + Json(hw).dump());
    const ScenarioSpec s = load_scenario(p.scenario, ov, 1.0);
    const int gpn = s.hardware.gpus_per_node;
    const double node_day = s.pricing.usd_per_gpu_hour * gpn * 24.0;
    auto make = [&](const std::string& side, int nodes, int red, std::int64_t budget, bool overlap) {
      return UnitShape{side, hw, nodes, nodes * gpn, red, budget, overlap, node_day};
    };
    reference[hw] = {make("prefill", s.prefill.nodes_per_unit, s.prefill.redundant_experts,
                          s.prefill.token_budget_per_gpu, s.prefill.overlap),
                     make("decode", s.decode.nodes_per_unit, s.decode.redundant_experts,
                          s.decode.max_batch_per_gpu, s.decode.overlap)};
    for (const std::string side : {"prefill", "decode"}) {
      const bool pre = side == "prefill";
      const UnitSpec& u = pre ? s.prefill : s.decode;
      const std::int64_t b0 = pre ? u.token_budget_per_gpu : u.max_batch_per_gpu;
      std::vector<std::int64_t> budgets{b0};
      if (p.vary_budgets && b0 >= 2) budgets.push_back(b0 / 2);
      for (int nodes : pre ? p.prefill_nodes_per_unit : p.decode_nodes_per_unit)
        for (int red : redundant_options(s.model.moe.num_routed_experts, nodes * gpn,
                                         u.redundant_experts, p.vary_redundant))
          for (auto b : budgets)
            for (bool ov2 : p.overlap) shapes[side].push_back(make(side, nodes, red, b, ov2));
    }
  }

  // Analytic lower bounds from the cost model's capacity of one unit (no simulation).
  const double computed = r.mean_input_tok * (1 - r.cache_hit_share);
  const double streams = r.peak_rate_per_s * std::max(0.0, r.mean_output_tok - 1) / r.slo.min_output_tok_per_s;
  auto bound = [&](const UnitShape& u) {
    ShapeBound b;
    b.shape = u;
    Candidate c;
    const auto& ref = reference.at(u.hardware);
    c.prefill = u.side == "prefill" ? u : ref.first;
    c.decode = u.side == "decode" ? u : ref.second;
    c.prefill_units = c.decode_units = 1;
    const ScenarioSpec s = pl.load(c, 1.0);
    const ServingSystem sys(s);
    if (u.side == "prefill") {
      b.unit_capacity = sys.prefill_unit_capacity_tok_per_s(sys.nominal_mix());
      b.lower_bound_units = b.unit_capacity > 0 ? std::max(1, static_cast<int>(std::ceil(r.peak_rate_per_s * computed / b.unit_capacity))) : 0;
    } else {
      b.unit_capacity = sys.decode_unit_streams_at_slo(sys.nominal_mix().kv_tok_per_output_tok());
      b.lower_bound_units = b.unit_capacity > 0 ? std::max(1, static_cast<int>(std::ceil(streams / b.unit_capacity))) : 0;
    }
    return b;
  };
  // The other side of a one-side sizing run: the scenario's shape, twice its lower bound.
  std::map<std::string, std::pair<int, int>> generous;  // hardware -> (prefill, decode) units
  for (const auto& [hw, ref] : reference)
    generous[hw] = {2 * bound(ref.first).lower_bound_units + 2, 2 * bound(ref.second).lower_bound_units + 1};

  std::map<std::string, UnitShape> sized_prefill;  // hardware -> cheapest sized prefill shape
  std::mutex mu;
  for (const std::string side : {"prefill", "decode"}) {
    std::vector<ShapeBound> bs;
    for (const auto& u : shapes[side]) bs.push_back(bound(u));
    auto lb_cost = [](const ShapeBound& b) {
      return b.lower_bound_units * b.shape.nodes_per_unit * b.shape.usd_per_node_day;
    };
    std::stable_sort(bs.begin(), bs.end(), [&](const ShapeBound& a, const ShapeBound& b) {
      if (lb_cost(a) != lb_cost(b)) return lb_cost(a) < lb_cost(b);
      return a.shape.key() < b.shape.key();
    });
    std::map<std::string, double> best_cost;  // hardware -> cheapest sized cost so far
    progress.begin_stage(side + " shapes", bs.size(), false);
    for (std::size_t w0 = 0; w0 < bs.size(); w0 += kWaveShapes) {
      const std::size_t n = std::min(kWaveShapes, bs.size() - w0);
      std::vector<std::vector<Evaluation>> evals(n);
      run_indexed(n, p.jobs, [&](std::size_t k) {
        ShapeBound& b = bs[w0 + k];
        // The bound is the cost model's ideal capacity; queueing and imbalance need more, so the
        // search reaches well above it.
        const std::size_t ub = static_cast<std::size_t>(
            std::max(b.lower_bound_units + p.max_extra_units, 3 * b.lower_bound_units));
        std::size_t considered = ub, pruned_lb = 0, dominated = 0, pruned_bound = 0, screened = 0;
        if (b.lower_bound_units == 0) {
          b.fate = "infeasible: no batch meets the stream speed";
          pruned_bound = ub;
        } else if (auto it = best_cost.find(b.shape.hardware); it != best_cost.end() && lb_cost(b) >= it->second) {
          b.fate = "pruned: lower bound costs more than a sized shape";
          pruned_bound = ub;
        } else {
          pruned_lb = static_cast<std::size_t>(b.lower_bound_units - 1);
          const auto& ref = reference.at(b.shape.hardware);
          const auto gen = generous.at(b.shape.hardware);
          const UnitShape& other_prefill = sized_prefill.count(b.shape.hardware)
                                               ? sized_prefill.at(b.shape.hardware)
                                               : ref.first;
          auto cand = [&](int units) {
            Candidate c;
            c.prefill = side == "prefill" ? b.shape : other_prefill;
            c.decode = side == "decode" ? b.shape : ref.second;
            c.prefill_units = side == "prefill" ? units : gen.first;
            c.decode_units = side == "decode" ? units : gen.second;
            return c;
          };
          auto meets = [&](int units) {
            Evaluation s = pl.evaluate(side + "-screen", cand(units), p.screen_s);
            evals[k].push_back(s);
            if (!s.meets) {
              ++screened;
              return std::pair<bool, bool>{false, !s.missed.empty() && s.ttft_p99_s > 2 * r.slo.ttft_p99_s};
            }
            Evaluation f = pl.evaluate(side, cand(units), p.window_s);
            evals[k].push_back(f);
            return std::pair<bool, bool>{f.meets, false};
          };
          int fail_at = b.lower_bound_units - 1, found = 0;
          for (int u = b.lower_bound_units; u <= static_cast<int>(ub);) {
            const auto [ok, hopeless] = meets(u);
            if (ok) {
              found = u;
              break;
            }
            fail_at = u;
            u += hopeless ? std::max(1, static_cast<int>(std::ceil(u * 0.25))) : 1;
          }
          // A jump may have passed the fewest units: search back between the last miss and it.
          while (found > 0 && found - fail_at > 1) {
            const int mid = (fail_at + found) / 2;
            if (meets(mid).first) found = mid;
            else fail_at = mid;
          }
          b.units = found;
          b.fate = found > 0 ? "sized" : "infeasible within lower bound + " + std::to_string(p.max_extra_units);
          if (found > 0) dominated = ub - static_cast<std::size_t>(found);
        }
        progress.shape_done();
        std::lock_guard<std::mutex> lock(mu);
        r.candidates_considered += considered;
        r.pruned_lower_bound += pruned_lb;
        r.pruned_dominated += dominated;
        r.pruned_bound += pruned_bound;
        r.screened_out += screened;
      });
      for (std::size_t k = 0; k < n; ++k) {
        const ShapeBound& b = bs[w0 + k];
        if (b.units > 0) {
          const double cost = b.units * b.shape.nodes_per_unit * b.shape.usd_per_node_day;
          auto [it, fresh] = best_cost.emplace(b.shape.hardware, cost);
          if (!fresh) it->second = std::min(it->second, cost);
        }
        for (auto& e : evals[k]) r.evaluations.push_back(std::move(e));
      }
    }
    // Decode is sized behind the cheapest prefill shape found, with a quarter more units than it
    // needed, so that decode sees the full arrival rate.
    if (side == "prefill") {
      std::map<std::string, double> cheapest;
      for (const auto& b : bs) {
        const double cost = b.units * b.shape.nodes_per_unit * b.shape.usd_per_node_day;
        const auto it = cheapest.find(b.shape.hardware);
        if (b.units > 0 && (it == cheapest.end() || cost < it->second)) {
          cheapest[b.shape.hardware] = cost;
          sized_prefill[b.shape.hardware] = b.shape;
          generous[b.shape.hardware].first = static_cast<int>(std::ceil(1.25 * b.units)) + 1;
        }
      }
    }
    for (auto& b : bs) r.shapes.push_back(std::move(b));
  }

  // Fleets: the cheapest sized shapes of each side, combined per hardware and simulated together.
  std::vector<Candidate> fleets;
  for (const auto& [hw, ref] : reference) {
    std::vector<const ShapeBound*> pre, dec;
    for (const auto& b : r.shapes)
      if (b.units > 0 && b.shape.hardware == hw) (b.shape.side == "prefill" ? pre : dec).push_back(&b);
    auto by_cost = [](const ShapeBound* a, const ShapeBound* b) {
      const double ca = a->units * a->shape.nodes_per_unit * a->shape.usd_per_node_day;
      const double cb = b->units * b->shape.nodes_per_unit * b->shape.usd_per_node_day;
      return ca != cb ? ca < cb : a->shape.key() < b->shape.key();
    };
    std::stable_sort(pre.begin(), pre.end(), by_cost);
    std::stable_sort(dec.begin(), dec.end(), by_cost);
    const std::size_t np = std::min<std::size_t>(pre.size(), static_cast<std::size_t>(p.top_per_side));
    const std::size_t nd = std::min<std::size_t>(dec.size(), static_cast<std::size_t>(p.top_per_side));
    for (std::size_t i = 0; i < np; ++i)
      for (std::size_t j = 0; j < nd; ++j) {
        Candidate c{pre[i]->shape, dec[j]->shape, pre[i]->units, dec[j]->units};
        fleets.push_back(c);
        // Frontier probes: the same shapes with more units buy lower latency.
        if (i == 0 && j == 0)
          for (auto [dp, dd] : std::initializer_list<std::pair<int, int>>{{1, 0}, {2, 0}, {4, 0}, {0, 1}, {2, 1}}) {
            Candidate x = c;
            x.prefill_units += dp;
            x.decode_units += dd;
            fleets.push_back(x);
          }
      }
  }
  // Each fleet at the scenario's seed and the next confirm_seeds - 1, on the confirming window.
  r.confirm_seeds = std::max(1, p.confirm_seeds);
  r.confirm_window_s = p.confirm_window_s > 0
                           ? p.confirm_window_s
                           : std::max(p.window_s, kConfirmEplbPeriods * ns_to_seconds(base.eplb_period_ns));
  const auto seeds = static_cast<std::size_t>(r.confirm_seeds);
  const double confirm_s = r.confirm_window_s;
  bool grown_round = false;
  const FleetJudge judge = [&](const std::vector<Candidate>& cs) {
    std::vector<Evaluation> runs(cs.size() * seeds);
    progress.begin_stage(grown_round ? "grown fleets" : "fleets", runs.size(), true);
    grown_round = true;
    run_indexed(runs.size(), p.jobs, [&](std::size_t i) {
      const std::size_t k = i % seeds;
      runs[i] = pl.evaluate("fleet", cs[i / seeds], confirm_s,
                            k == 0 ? std::nullopt : std::optional<std::uint64_t>(base.seed + k));
    });
    std::vector<Evaluation> judged;
    for (std::size_t f = 0; f < cs.size(); ++f)
      judged.push_back(worst_of({runs.begin() + static_cast<std::ptrdiff_t>(f * seeds),
                                 runs.begin() + static_cast<std::ptrdiff_t>((f + 1) * seeds)}));
    for (auto& e : runs) r.evaluations.push_back(std::move(e));
    return judged;
  };
  // Sizing ran each side on its own, on short windows at one seed; together, or over a longer
  // window, or at another seed, a fleet can still fall short of the SLOs.
  const std::vector<Evaluation> fe = grow_missed_fleets(judge(fleets), p.max_extra_units, judge, r.grown);
  for (const auto& e : fe)
    if (e.meets) r.best.push_back(e);
  r.fleets = fe;
  std::stable_sort(r.best.begin(), r.best.end(), cheaper_fleet);
  std::vector<Evaluation> all = fe;
  std::stable_sort(all.begin(), all.end(), cheaper_fleet);
  double best_ttft = INFINITY;
  for (const auto& e : all)
    if (e.ttft_p99_s < best_ttft) {
      r.frontier.push_back(e);
      best_ttft = e.ttft_p99_s;
    }
  return r;
}

}  // namespace fleetsim
