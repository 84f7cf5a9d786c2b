// `fleetsim validate`: regenerates docs/validation.md — the Day-6 production day against its
// published figures, the capacity of the Day-6 unit shapes under saturating load (decode at the
// published 20-22 tok/s per stream, prefill as a throughput/TTFT curve), ablations of each
// mechanism, and the calibration tables' headline errors. Every number comes from a run.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>

#include "apps/fleetsim/commands.hpp"
#include "apps/fleetsim/number_option.hpp"
#include "apps/fleetsim/run_tables.hpp"
#include "sim/metrics/day_comparison.hpp"
#include "sim/metrics/metric_paths.hpp"
#include "sim/study/parallel_runner.hpp"
#include "sim/serving/simulation.hpp"

namespace fleetsim::cli {

namespace {

struct ValidateOptions {
  std::string scenario = "scenarios/deepseek-v3-r1-day.json";
  std::string out = "docs/validation.md";
  double day_scale = 1.0;
  double probe_s = 1800;
  int other_seeds = 2;  // the day again at the next seeds, for the spread of every row
  int jobs = 0;         // threads for those runs (0: one per hardware thread)
  bool quiet = false;
};

// Steady-state figures of a fixed-fleet probe, averaged over the timeline after a warm-up.
struct Probe {
  double rate_req_per_s = 0;
  double decode_tok_per_s_per_node = 0, stream_tok_per_s = 0, batch_per_gpu = 0;
  double prefill_tok_per_s_per_node = 0, ttft_p50_s = 0, ttft_p99_s = 0;
  double expert_imbalance_decode = 0, expert_imbalance_prefill = 0;
  std::uint64_t rejected = 0;
};

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

// Where the fleet's node-time goes, role by role: the nodes the published token totals and
// per-node throughputs imply, against the simulated fleet and the cost model's capacity.
void split_table(std::ostream& md, const ScenarioSpec& day, const Json& summary) {
  auto published = [&](const std::string& metric) -> std::optional<double> {
    for (const auto& t : day.validation)
      if (t.metric == metric) return t.published;
    return std::nullopt;
  };
  auto simulated = [&](const std::string& metric) { return metric_at(summary, metric).value_or(0.0); };
  struct Role {
    const char* name;
    const char* tokens;      // published token total of the role
    const char* throughput;  // published per-node throughput
    const char* capacity;    // cost model's capacity per active node
    const char* nodes;       // simulated average nodes
    const char* utilization;
  };
  const Role roles[] = {
      {"prefill (input tokens)", "tokens.input", "throughput.prefill_input_tok_per_s_per_node",
       "capacity.prefill_input_tok_per_s_per_node", "fleet.avg_prefill_nodes", "capacity.prefill_utilization"},
      {"decode (output tokens)", "tokens.output", "throughput.decode_output_tok_per_s_per_node",
       "capacity.decode_output_tok_per_s_per_node_at_slo", "fleet.avg_decode_nodes",
       "capacity.decode_utilization"}};
  const double day_s = ns_to_seconds(day.duration_ns);
  md << "\nThe split between roles. Published nodes are the published tokens over the day divided "
        "by the published per-node throughput (Day-6's own arithmetic). Capacity is what the cost "
        "model gives an active node at the autoscaler's decisions (prefill at its token budget, "
        "decode at the largest batch meeting the speed SLO), averaged over the run; the published "
        "per-node throughput is set against it as the share of that capacity Day-6 used.\n\n"
        "| role | nodes implied by Day-6 | simulated nodes | capacity per node (model) | Day-6 "
        "throughput / capacity | simulated throughput / capacity (active nodes) |\n"
        "|---|---:|---:|---:|---:|---:|\n";
  for (const Role& role : roles) {
    const auto tok = published(role.tokens), per_node = published(role.throughput);
    const double cap = simulated(role.capacity);
    if (!tok || !per_node || *per_node <= 0 || cap <= 0 || day_s <= 0) continue;
    md << "| " << role.name << " | " << fmt("%.1f", *tok / day_s / *per_node) << " | "
       << fmt("%.1f", simulated(role.nodes)) << " | " << fmt("%.0f", cap) << " | "
       << fmt("%.0f%%", *per_node / cap * 100) << " | " << fmt("%.0f%%", simulated(role.utilization) * 100)
       << " |\n";
  }
}

std::string flat_weights() {
  std::string w = "[";
  for (int i = 0; i < 24; ++i) w += i ? ",1" : "1";
  return w + "]";
}

Probe probe(const ValidateOptions& o, double rate, int prefill_units, int decode_units,
            std::vector<std::string> extra) {
  const ScenarioSpec base = load_scenario(o.scenario);
  std::vector<std::string> ov = {
      "duration_s=" + std::to_string(o.probe_s), "sample_interval_s=60", "start_clock_h=12",
      "workload.hourly_weights=" + flat_weights(),
      "workload.requests_per_day=" + std::to_string(rate * 86400),
      "cluster.nodes=" + std::to_string(prefill_units * base.prefill.nodes_per_unit +
                                        decode_units * base.decode.nodes_per_unit),
      "policies.autoscaler={\"name\":\"fixed\",\"params\":{\"prefill_units\":" +
          std::to_string(prefill_units) + ",\"decode_units\":" + std::to_string(decode_units) + "}}"};
  ov.insert(ov.end(), extra.begin(), extra.end());
  const ScenarioSpec s = load_scenario(o.scenario, ov);
  const SimulationResult r = simulate(s);
  Probe p;
  p.rate_req_per_s = rate;
  // Skip the first third: batches fill up over the first minutes.
  int n = 0;
  std::vector<double> ttft50, ttft99;
  for (const auto& row : r.system->metrics().timeline()) {
    if (row.t_h * 3600 < o.probe_s / 3) continue;
    ++n;
    p.decode_tok_per_s_per_node += row.decode_tok_per_s_per_node;
    p.stream_tok_per_s += row.output_tok_per_s_per_stream;
    p.batch_per_gpu += row.decode_batch_per_gpu;
    p.prefill_tok_per_s_per_node += row.prefill_tok_per_s_per_node;
    p.ttft_p50_s += row.ttft_p50_s;
    p.ttft_p99_s = std::max(p.ttft_p99_s, row.ttft_p99_s);
  }
  if (n) {
    p.decode_tok_per_s_per_node /= n;
    p.stream_tok_per_s /= n;
    p.batch_per_gpu /= n;
    p.prefill_tok_per_s_per_node /= n;
    p.ttft_p50_s /= n;
  }
  p.expert_imbalance_decode = r.summary["experts"]["decode"]["imbalance_after_mean"].get<double>();
  p.expert_imbalance_prefill = r.summary["experts"]["prefill"]["imbalance_after_mean"].get<double>();
  p.rejected = r.system->metrics().rejected();
  if (!o.quiet) std::fprintf(stderr, ".");
  return p;
}

std::string err_pct(double sim, double pub) { return fmt("%+.1f%%", (sim - pub) / pub * 100); }

// The day hour by hour against the published charts: where over the day the fleet differs.
void hourly_table(std::ostream& md, const ScenarioSpec& day, const SimulationResult& r) {
  if (!day.published_day) return;
  const DayAgainstPublished d =
      compare_with_published(*day.published_day, r.economics, ns_to_seconds(day.duration_ns) / 3600);
  if (d.hours.empty()) return;
  md << "\n### Hour by hour against Day-6's charts\n\nThe simulated hour's average nodes, GPU cost and "
        "theoretical income beside Day-6's node-count schedule (its time-weighted mean over the hour) and "
        "its hourly cost and income bars, as digitized. Source: " << day.published_day->source << ".\n\n"
     << "| hour | nodes | published nodes | error | cost (USD) | published cost | error | theoretical "
        "income (USD) | published income | error |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  auto clock = [](double h) { return fmt("%02.0f:00", std::fmod(h, 24.0)); };
  auto err = [](double sim, double pub) { return pub > 0 ? err_pct(sim, pub) : std::string("n/a"); };
  for (const HourAgainstPublished& h : d.hours) {
    md << "| " << clock(h.clock_h) << " | " << fmt("%.1f", h.nodes) << " | " << fmt("%.1f", h.published_nodes)
       << " | " << fmt("%+.1f", h.nodes - h.published_nodes) << " | " << fmt("%.0f", h.cost_usd) << " | "
       << fmt("%.0f", h.published_cost_usd) << " | " << err(h.cost_usd, h.published_cost_usd) << " | "
       << fmt("%.0f", h.income_usd) << " | " << fmt("%.0f", h.published_income_usd) << " | "
       << err(h.income_usd, h.published_income_usd) << " |\n";
  }
  md << "\nMean absolute error over " << d.hours.size() << " hours: " << fmt("%.1f", d.nodes_mean_abs_error)
     << " nodes (largest " << fmt("%.1f", d.nodes_max_abs_error) << "), cost "
     << fmt("%.1f%%", d.cost_mean_abs_error_pct) << ", theoretical income "
     << fmt("%.1f%%", d.income_mean_abs_error_pct) << ".\n";
}

// The day's rows again at the next seeds: how far one seed's figures are from another's, and
// whether the fleet turns requests away on other draws of the same load.
void seed_spread(std::ostringstream& md, const ValidateOptions& o, const ScenarioSpec& day, const Json& first) {
  std::vector<std::uint64_t> seeds{day.seed};
  for (int k = 1; k <= o.other_seeds; ++k) seeds.push_back(day.seed + static_cast<std::uint64_t>(k));
  std::vector<Json> summaries(seeds.size());
  summaries[0] = first;
  if (!o.quiet) std::fprintf(stderr, "the day at %d more seeds...\n", o.other_seeds);
  run_indexed(seeds.size() - 1, o.jobs, [&](std::size_t i) {
    const std::string seed = "seed=" + std::to_string(seeds[i + 1]);
    summaries[i + 1] = simulate(load_scenario(o.scenario, {seed}, o.day_scale)).summary;
  });
  md << "\n### The same day at other seeds\n\n`--set seed=K`: other draws of the same load, routing and "
        "policies. The spread is the largest minus the smallest value, against the published one.\n\n"
     << "| metric | published |";
  for (auto seed : seeds) md << " seed " << seed << " |";
  md << " spread |\n|---|---:|";
  for (std::size_t i = 0; i < seeds.size(); ++i) md << "---:|";
  md << "---:|\n";
  for (const auto& t : day.validation) {
    std::vector<double> v;
    for (const Json& sm : summaries)
      if (auto x = metric_at(sm, t.metric)) v.push_back(*x);
    if (v.size() != summaries.size()) continue;
    md << "| " << t.label << " | " << fmt("%.6g", t.published) << " |";
    for (double x : v) md << " " << fmt("%.6g", x) << " (" << err_pct(x, t.published) << ") |";
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    md << " " << fmt("%.1f%%", (*hi - *lo) / t.published * 100) << " |\n";
  }
  md << "| requests turned away | not published |";
  for (const Json& sm : summaries) md << " " << fmt("%.0f", sm["requests"]["rejected"].get<double>()) << " |";
  md << " |\n";
}

// "Requests turned away: N (x% of M): reason n, ...; by hour: HH:00 n, ...." for a run.
std::string turned_away(const Metrics& m, const ScenarioSpec& s) {
  std::ostringstream out;
  const double arrived = static_cast<double>(m.arrived());
  out << "Requests turned away: " << m.rejected() << " ("
      << fmt("%.2f%%", arrived > 0 ? static_cast<double>(m.rejected()) / arrived * 100 : 0.0) << " of " << m.arrived()
      << ")";
  std::string reasons;
  for (int k = 0; k < static_cast<int>(RejectReason::kCount); ++k) {
    const auto reason = static_cast<RejectReason>(k);
    if (m.rejected(reason) > 0)
      reasons += (reasons.empty() ? "" : ", ") + std::string(reject_reason_name(reason)) + " " +
                 std::to_string(m.rejected(reason));
  }
  if (!reasons.empty()) out << ": " << reasons;
  // By wall-clock hour, in the run's order.
  std::vector<std::pair<int, std::uint64_t>> by_hour;
  for (const auto& row : m.timeline()) {
    // A sample closes its interval: it belongs to the hour the interval started in.
    const double start_h = row.t_h - ns_to_seconds(s.sample_interval_ns) / 3600;
    const int hour = static_cast<int>(std::floor(std::fmod(s.start_clock_h + start_h + 24.0, 24.0)));
    if (by_hour.empty() || by_hour.back().first != hour) by_hour.push_back({hour, 0});
    by_hour.back().second += row.rejected;
  }
  std::string hours;
  for (const auto& [hour, n] : by_hour)
    if (n > 0) hours += (hours.empty() ? "" : ", ") + fmt("%02.0f:00", hour) + " " + std::to_string(n);
  if (!hours.empty()) out << "; by hour: " << hours;
  out << ".";
  return out.str();
}

// The day again with Day-6's own fleet: the published schedule's units, held by the `schedule`
// autoscaler. The cost model and the serving system are then judged on the published fleet,
// without the simulated autoscaler's policy in between.
void published_fleet(std::ostringstream& md, const ValidateOptions& o, const ScenarioSpec& day, const Json& own_run) {
  if (!day.published_day || !day.published_day->has_units()) return;
  md << "\n### Day-6's own fleet\n\n";
  if (o.day_scale != 1.0) {
    md << "Not run at `--day-scale " << fmt("%g", o.day_scale) << "`: the published units are the full-scale fleet's.\n";
    return;
  }
  const PublishedDay& pub = *day.published_day;
  if (pub.prefill_nodes_per_unit != day.prefill.nodes_per_unit || pub.decode_nodes_per_unit != day.decode.nodes_per_unit) {
    md << "Not run: the scenario's units (" << day.prefill.nodes_per_unit << "-node prefill, "
       << day.decode.nodes_per_unit << "-node decode) are not the published fleet's (" << pub.prefill_nodes_per_unit
       << ", " << pub.decode_nodes_per_unit << ").\n";
    return;
  }
  Json steps = Json::array();
  for (const PublishedNodeStep& st : pub.node_schedule)
    steps.push_back({{"clock_h", st.clock_h}, {"prefill_units", st.prefill_units}, {"decode_units", st.decode_units}});
  // The published fleet's units load their weights as long as the scenario's own autoscaler says.
  const JsonReader own = JsonReader(day.policies, day.file, "/policies").at("autoscaler").at("params");
  const Json autoscaler = {{"name", "schedule"},
                           {"params",
                            {{"steps", steps}, {"interval_s", own.positive("interval_s")},
                             {"warmup_s", own.non_negative("warmup_s")}}}};
  if (!o.quiet) std::fprintf(stderr, "the day with Day-6's own fleet...\n");
  const ScenarioSpec fleet_day = load_scenario(o.scenario, {"policies.autoscaler=" + autoscaler.dump()});
  const SimulationResult r = simulate(fleet_day);
  md << "`fleetsim run " << o.scenario << " --set policies.autoscaler='{\"name\":\"schedule\",...}'` with the "
        "units of the scenario's `published_day.node_schedule` (not published: each level of the node-count chart "
        "split into whole units; see `_units` there), started on the chart's clock and warming as long as the "
        "default autoscaler's units: the same load, routing and cost model, the published fleet instead of the "
        "simulated autoscaler's.\n\n"
     << "| metric | published | simulated autoscaler | Day-6's fleet | error | status |\n|---|---:|---:|---:|---:|---|\n";
  for (const auto& t : day.validation) {
    const auto mine = metric_at(own_run, t.metric), theirs = metric_at(r.summary, t.metric);
    if (!mine || !theirs) continue;
    const double e = (*theirs - t.published) / t.published * 100;
    md << "| " << t.label << " | " << fmt("%.6g", t.published) << " | " << fmt("%.6g", *mine) << " | "
       << fmt("%.6g", *theirs) << " | " << fmt("%+.1f%%", e) << " | "
       << (std::fabs(e) <= t.tolerance_pct ? "pass" : "**fail**") << " |\n";
  }
  md << "\n" << turned_away(r.system->metrics(), fleet_day) << "\n";
}

void validate(const ValidateOptions& o) {
  const ScenarioSpec s0 = load_scenario(o.scenario);
  std::ostringstream md;
  md << "# Validation\n\nRegenerate with `" << "fleetsim validate " << o.scenario
     << (o.day_scale != 1.0 ? " --day-scale " + fmt("%g", o.day_scale) : std::string()) << "`"
     << " (or `scripts/regenerate-docs.sh`, which also regenerates the calibration and explain-step "
        "documents). Every simulated number below comes out of a run of the "
        "simulator; calibration is kernel-level only (no factor is fitted to a system-level "
        "figure).\n\n";

  // 1. Decode capacity at the Day-6 shape: one 18-node EP144 unit, saturating load.
  md << "## Decode capacity at the Day-6 shape\n\n"
     << "One decode unit (" << s0.decode.nodes_per_unit << " nodes, EP" << s0.decode.ep_degree
     << ", MTP " << (s0.decode.mtp ? "on" : "off") << "), eight prefill units feeding it, a flat "
     << "arrival rate swept upwards; request lengths are the default scenario's (mean KV "
        "4,989 tokens per output token, as Day-6 reports). Figures are steady-state means over the "
        "last two thirds of a " << o.probe_s << " s run. The cap of "
     << s0.decode.max_batch_per_gpu << " sequences per GPU bounds the batch.\n\n"
     << "| arrivals/s | batch per GPU | tok/s per stream | output tok/s per node | expert imbalance (max/mean) |\n"
     << "|---:|---:|---:|---:|---:|\n";
  std::vector<Probe> dec;
  for (double rate : {150.0, 200.0, 250.0, 300.0, 350.0, 400.0, 450.0}) {
    dec.push_back(probe(o, rate, 8, 1, {}));
    const Probe& p = dec.back();
    md << fmt("%.0f", rate) << " | " << fmt("%.1f", p.batch_per_gpu) << " | "
       << fmt("%.1f", p.stream_tok_per_s) << " | " << fmt("%.0f", p.decode_tok_per_s_per_node)
       << " | " << fmt("%.2f", p.expert_imbalance_decode) << " |\n";
  }
  // Interpolate the throughput where per-stream speed crosses 21 tok/s (Day-6: 20-22).
  double at21 = 0;
  for (std::size_t i = 1; i < dec.size(); ++i) {
    const Probe &a = dec[i - 1], &b = dec[i];
    if (a.stream_tok_per_s >= 21 && b.stream_tok_per_s < 21) {
      const double f = (a.stream_tok_per_s - 21) / (a.stream_tok_per_s - b.stream_tok_per_s);
      at21 = a.decode_tok_per_s_per_node + f * (b.decode_tok_per_s_per_node - a.decode_tok_per_s_per_node);
    }
  }
  md << "\n| figure | published | simulated | error | tolerance |\n|---|---:|---:|---:|---:|\n";
  if (at21 > 0) {
    md << "| decode output tok/s per node at 21 tok/s per stream | 14,800 | " << fmt("%.0f", at21)
       << " | " << err_pct(at21, 14800) << " | ±10% |\n\n";
  } else {
    const Probe& last = dec.back();
    md << "| decode output tok/s per node at 21 tok/s per stream | 14,800 | not reached: at the "
       << "batch cap streams still run at " << fmt("%.1f", last.stream_tok_per_s)
       << " tok/s with " << fmt("%.0f", last.decode_tok_per_s_per_node)
       << " tok/s per node | " << err_pct(last.decode_tok_per_s_per_node, 14800)
       << " at the cap | ±10% |\n\n";
  }

  // 2. Prefill throughput against TTFT: one 4-node EP32 unit.
  md << "## Prefill capacity at the Day-6 shape\n\nOne prefill unit (" << s0.prefill.nodes_per_unit
     << " nodes, EP" << s0.prefill.ep_degree << ", token budget " << s0.prefill.token_budget_per_gpu
     << " per GPU) and one decode unit, flat arrivals swept upwards. Input tokens include cache hits "
        "(56.3% of them, loaded from the KV store instead of computed), as in Day-6's 73.7k figure, "
        "which is a day average and so a floor for the capacity.\n\n"
     << "| arrivals/s | input tok/s per node | TTFT p50 (s) | TTFT p99 (s) | rejected |\n|---:|---:|---:|---:|---:|\n";
  double prefill_best = 0;
  for (double rate : {20.0, 40.0, 60.0, 80.0, 100.0, 120.0, 140.0, 160.0, 180.0}) {
    const Probe p = probe(o, rate, 1, 1, {});
    prefill_best = std::max(prefill_best, p.prefill_tok_per_s_per_node);
    md << fmt("%.0f", rate) << " | " << fmt("%.0f", p.prefill_tok_per_s_per_node) << " | "
       << fmt("%.2f", p.ttft_p50_s) << " | " << fmt("%.2f", p.ttft_p99_s) << " | " << p.rejected << " |\n";
  }
  md << "\n| figure | published | simulated | verdict |\n|---|---:|---:|---|\n"
     << "| prefill input tok/s per node (capacity must clear the day average) | 73,700 | "
     << fmt("%.0f", prefill_best) << " | " << (prefill_best >= 73700 ? "clears the floor" : "BELOW the floor")
     << " |\n\n";

  // 3. Ablations: each mechanism switched off on the same load.
  md << "## Ablations\n\nEach row changes one mechanism of the default configuration on the same "
        "load: decode probes at 250 arrivals/s on one decode unit, prefill probes at 50 "
        "arrivals/s on one prefill unit.\n\n"
     << "| change | decode tok/s per node | tok/s per stream | decode expert imbalance | prefill input tok/s per node | TTFT p99 (s) | prefill expert imbalance |\n"
     << "|---|---:|---:|---:|---:|---:|---:|\n";
  struct Ablation {
    const char* label;
    std::vector<std::string> set;
  };
  const std::vector<Ablation> ablations = {
      {"default (overlap, EPLB, balanced LBs, 32 redundant experts)", {}},
      {"no overlap (prefill and decode)", {"deployment.prefill.overlap=false", "deployment.decode.overlap=false"}},
      {"EPLB off (placement `none`)", {"policies.eplb=\"none\""}},
      {"EPLB `greedy`", {"policies.eplb=\"greedy\""}},
      {"load balancers `round-robin`", {"policies.prefill_lb=\"round-robin\"", "policies.decode_lb=\"round-robin\""}},
      {"load balancers `random`", {"policies.prefill_lb=\"random\"", "policies.decode_lb=\"random\""}},
      {"load balancers `least-loaded`", {"policies.prefill_lb=\"least-loaded\"", "policies.decode_lb=\"least-loaded\""}},
      {"prefill without redundant experts (0 instead of 32)", {"deployment.prefill.redundant_experts=0"}},
      {"MTP off", {"deployment.decode.mtp.enabled=false"}},
  };
  for (const auto& a : ablations) {
    const Probe d = probe(o, 250, 8, 1, a.set);
    const Probe p = probe(o, 50, 1, 1, a.set);
    md << "| " << a.label << " | " << fmt("%.0f", d.decode_tok_per_s_per_node) << " | "
       << fmt("%.1f", d.stream_tok_per_s) << " | " << fmt("%.2f", d.expert_imbalance_decode) << " | "
       << fmt("%.0f", p.prefill_tok_per_s_per_node) << " | " << fmt("%.2f", p.ttft_p99_s) << " | "
       << fmt("%.2f", p.expert_imbalance_prefill) << " |\n";
  }

  // 4. The production day.
  md << "\n## The Day-6 production day\n\n`fleetsim run " << o.scenario
     << (o.day_scale != 1.0 ? " --scale " + fmt("%g", o.day_scale) : std::string())
     << "`: the default scenario's load and autoscaler; the fleet comes out of the simulated "
        "capacity.\n\n| metric | published | simulated | error | tolerance | status | source |\n"
        "|---|---:|---:|---:|---:|---|---|\n";
  const ScenarioSpec day = load_scenario(o.scenario, {}, o.day_scale);
  const SimulationResult r = simulate(day);
  for (const auto& t : day.validation) {
    const auto v = metric_at(r.summary, t.metric);
    if (!v) continue;
    const double e = (*v - t.published) / t.published * 100;
    md << "| " << t.label << " | " << fmt("%.6g", t.published) << " | " << fmt("%.6g", *v) << " | "
       << fmt("%+.1f%%", e) << " | ±" << fmt("%g", t.tolerance_pct) << "% | "
       << (std::fabs(e) <= t.tolerance_pct ? "pass" : "**fail**") << " | " << t.source << " |\n";
  }
  split_table(md, day, r.summary);
  hourly_table(md, day, r);
  md << "\nSimulator: " << fmt("%.3g", r.summary["sim"]["events"].get<double>()) << " events, "
     << fmt("%.0f", r.summary["requests"]["arrived"].get<double>()) << " requests in "
     << fmt("%.0f", r.summary["sim"]["wall_s"].get<double>()) << " s wall.\n";
  if (o.other_seeds > 0) seed_spread(md, o, day, r.summary);
  published_fleet(md, o, day, r.summary);

  md << "\n## Calibration\n\nKernel and communication models are fitted to the published H800 "
        "tables; their leave-one-out tables are in [kernel-calibration.md](kernel-calibration.md) "
        "and [comm-calibration.md](comm-calibration.md). The fitted kernel model against kernels "
        "measured on a GPU, and simulated steps executed there operator by operator: "
        "[gpu-validation.md](gpu-validation.md).\n";
  write_text_file(o.out, md.str());
  if (!o.quiet) std::fprintf(stderr, "\nwrote %s\n", o.out.c_str());
}

}  // namespace

void add_validate_command(CLI::App& app) {
  auto o = std::make_shared<ValidateOptions>();
  auto* cmd = app.add_subcommand("validate", "Regenerate docs/validation.md from simulation runs");
  cmd->add_option("scenario", o->scenario, "scenario JSON file")->capture_default_str();
  cmd->add_option("--out", o->out, "Markdown file to write")->capture_default_str();
  add_number_option(*cmd, "--day-scale", o->day_scale, "scale of the production-day run")
      ->check(number_in(1e-6, 1.0))->capture_default_str();
  add_number_option(*cmd, "--probe-s", o->probe_s, "simulated seconds of each capacity probe")
      ->check(positive_number())->capture_default_str();
  cmd->add_option("--other-seeds", o->other_seeds, "run the day again at this many next seeds (0: none)")
      ->capture_default_str()
      ->check(integer_at_least(0));
  cmd->add_option("--jobs", o->jobs, "threads for those runs (0: one per hardware thread)")
      ->check(integer_at_least(0))
      ->capture_default_str();
  cmd->add_flag("--quiet", o->quiet, "no progress on stderr");
  cmd->callback([o] { validate(*o); });
}

}  // namespace fleetsim::cli
