// Builds the run's series tables from metrics and economics.
#include "apps/fleetsim/run_tables.hpp"

#include "sim/metrics/day_comparison.hpp"
#include "sim/metrics/metric_paths.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace fleetsim {

namespace {

// A validation row of a run that does not cover the day its published figures describe.
constexpr const char* kNotJudged = "not judged";

std::string clock_string(double h) {
  h = std::fmod(h, 24.0);
  const int total_min = static_cast<int>(std::lround(h * 60)) % (24 * 60);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", total_min / 60, total_min % 60);
  return buf;
}

SeriesTable histogram_table(const char* name, const char* title, const char* lo, const char* hi,
                            const LogHistogram& h) {
  SeriesTable t{name, title, {lo, hi, "count"}, {}};
  for (std::size_t i = 0; i < h.bins(); ++i)
    if (h.bin_count(i) > 0) t.rows.push_back({h.bin_lo(i), h.bin_hi(i), h.bin_count(i)});
  return t;
}

// Every autoscaler decision: what it was shown, what it asked for, and the capacity that buys
// (the units asked for times the cost model's capacity per unit) beside the demand.
SeriesTable decisions_table(const ScenarioSpec& s, const Metrics& m) {
  SeriesTable t{"fleet_decisions", "Autoscaler decisions: demand, capacity per unit, units held and asked for",
                {"t_h", "clock", "prefill_units_held", "decode_units_held", "prefill_units_target",
                 "decode_units_target", "arrivals_per_s", "computed_tok_per_s", "prefill_backlog_tok",
                 "output_tok_per_s", "decode_streams", "prefill_unit_tok_per_s",
                 "decode_unit_tok_per_s_at_slo", "decode_unit_tok_per_s_at_cap",
                 "decode_unit_streams_at_slo", "decode_unit_streams_at_cap",
                 "prefill_planning_imbalance", "decode_planning_imbalance", "ttft_p99_s",
                 "stream_tok_per_s_p50", "prefill_target_tok_per_s", "decode_target_tok_per_s_at_slo"},
                {}};
  for (const FleetDecision& d : m.decisions()) {
    t.rows.push_back({d.t_h, clock_string(s.start_clock_h + d.t_h), d.prefill_units_held, d.decode_units_held,
                      d.prefill_units_target, d.decode_units_target, d.arrivals_per_s, d.computed_tok_per_s,
                      d.prefill_backlog_tok, d.output_tok_per_s, d.decode_streams, d.prefill_unit_tok_per_s,
                      d.decode_unit_tok_per_s_at_slo, d.decode_unit_tok_per_s_at_cap,
                      d.decode_unit_streams_at_slo, d.decode_unit_streams_at_cap,
                      d.prefill_planning_imbalance, d.decode_planning_imbalance, d.ttft_p99_s,
                      d.stream_tok_per_s_p50, d.prefill_units_target * d.prefill_unit_tok_per_s,
                      d.decode_units_target * d.decode_unit_tok_per_s_at_slo});
  }
  return t;
}

}  // namespace

std::vector<SeriesTable> make_run_tables(const ScenarioSpec& s, const Metrics& m,
                                         const Economics& e, const Json& summary) {
  std::vector<SeriesTable> out;
  SeriesTable tl{"timeline", "Fleet and load over the run",
                 {"t_h", "clock", "nodes_total", "nodes_prefill", "nodes_decode", "arrivals_per_s",
                  "input_tok_per_s", "output_tok_per_s", "prefill_input_tok_per_s_per_node",
                  "decode_output_tok_per_s_per_node", "decode_batch_per_gpu",
                  "output_tok_per_s_per_stream", "ttft_p50_s", "ttft_p99_s", "tpot_p50_ms",
                  "tpot_p99_ms", "prefill_queue_requests", "prefill_expert_imbalance",
                  "decode_expert_imbalance", "rejected_requests"},
                 {}};
  // The published node count at the same wall-clock time, for the chart that overlays them.
  if (s.published_day) tl.columns.push_back("published_nodes");
  for (const auto& r : m.timeline()) {
    tl.rows.push_back({r.t_h, clock_string(s.start_clock_h + r.t_h), r.nodes_prefill + r.nodes_decode,
                       r.nodes_prefill, r.nodes_decode, r.arrivals_per_s, r.input_tok_per_s,
                       r.output_tok_per_s, r.prefill_tok_per_s_per_node, r.decode_tok_per_s_per_node,
                       r.decode_batch_per_gpu, r.output_tok_per_s_per_stream, r.ttft_p50_s,
                       r.ttft_p99_s, r.tpot_p50_ms, r.tpot_p99_ms, r.prefill_queue,
                       r.expert_imbalance_prefill, r.expert_imbalance_decode, r.rejected});
    if (s.published_day)
      tl.rows.back().push_back(scheduled_nodes_at(s.published_day->node_schedule, s.start_clock_h + r.t_h));
  }
  out.push_back(std::move(tl));

  out.push_back(decisions_table(s, m));

  SeriesTable hourly{"hourly", "Hourly cost and income",
                     {"hour", "nodes_avg", "cost_usd", "theoretical_income_usd", "actual_income_usd",
                      "input_tokens", "cache_hit_tokens", "output_tokens"},
                     {}};
  for (std::size_t i = 0; i < e.hours.size() && i < m.hours().size(); ++i) {
    const auto& he = e.hours[i];
    const auto& hb = m.hours()[i];
    hourly.rows.push_back({clock_string(he.clock_h), he.nodes_avg, he.cost_usd, he.theoretical_usd,
                           he.actual_usd, hb.input_tok, hb.cached_tok, hb.output_tok});
  }
  out.push_back(std::move(hourly));
  if (s.published_day) {
    SeriesTable pd{"published_day", "Hour by hour against the published day",
                   {"hour", "nodes_avg", "published_nodes", "nodes_error", "cost_usd", "published_cost_usd",
                    "cost_error_pct", "theoretical_income_usd", "published_theoretical_income_usd",
                    "income_error_pct"},
                   {}};
    const DayAgainstPublished d = compare_with_published(*s.published_day, e, ns_to_seconds(s.duration_ns) / 3600);
    auto pct = [](double sim, double pub) -> Json {
      if (pub > 0) return (sim - pub) / pub * 100;
      return nullptr;
    };
    for (const HourAgainstPublished& h : d.hours)
      pd.rows.push_back({clock_string(h.clock_h), h.nodes, h.published_nodes, h.nodes - h.published_nodes,
                         h.cost_usd, h.published_cost_usd, pct(h.cost_usd, h.published_cost_usd), h.income_usd,
                         h.published_income_usd, pct(h.income_usd, h.published_income_usd)});
    out.push_back(std::move(pd));
  }
  out.push_back(histogram_table("ttft_hist", "Time to first token", "lo_s", "hi_s", m.ttft_s()));
  out.push_back(histogram_table("tpot_hist", "Time per output token", "lo_ms", "hi_ms", m.tpot_ms()));

  if (!s.validation.empty()) {
    SeriesTable v{"validation", "Simulated against published figures",
                  {"metric", "published", "simulated", "error_pct", "tolerance_pct", "status", "source"},
                  {}};
    // The published figures are a whole day's: a shorter or longer run is set beside them, not
    // judged by them (an hour's tokens are not a day's, nor is its peak the day's).
    const bool whole_day = s.duration_ns == kNsPerDay;
    for (const auto& t : s.validation) {
      const auto sim = metric_at(summary, t.metric);
      if (!sim) {
        v.rows.push_back({t.label, t.published, nullptr, nullptr, t.tolerance_pct, "missing", t.source});
        continue;
      }
      const double err = t.published != 0 ? (*sim - t.published) / t.published * 100 : 0;
      const char* status = !whole_day ? kNotJudged : std::fabs(err) <= t.tolerance_pct ? "pass" : "fail";
      v.rows.push_back({t.label, t.published, *sim, err, t.tolerance_pct, status, t.source});
    }
    out.push_back(std::move(v));
  }
  SeriesTable rej{"rejections", "Rejected requests by reason", {"reason", "count"}, {}};
  for (int r = 0; r < static_cast<int>(RejectReason::kCount); ++r)
    rej.rows.push_back({reject_reason_name(static_cast<RejectReason>(r)), m.rejected(static_cast<RejectReason>(r))});
  out.push_back(std::move(rej));
  return out;
}

}  // namespace fleetsim
