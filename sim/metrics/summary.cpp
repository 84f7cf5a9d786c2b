// Builds summary.json from the collected metrics.
#include "sim/metrics/summary.hpp"

#include "sim/metrics/day_comparison.hpp"

#include <sys/resource.h>

namespace fleetsim {

namespace {
Json dist(const LogHistogram& h) {
  return Json{{"mean", h.mean()}, {"p50", h.quantile(0.5)}, {"p90", h.quantile(0.9)},
              {"p99", h.quantile(0.99)}, {"count", h.count()}};
}
}  // namespace

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux reports KiB
}

Json make_summary(const ScenarioSpec& s, const Metrics& m, const Economics& e, const SimStats& st) {
  Json j;
  const double duration_s = ns_to_seconds(s.duration_ns);
  j["scenario"] = {{"name", s.name}, {"file", s.file}, {"seed", s.seed}, {"scale", s.scale},
                   {"duration_s", duration_s}};
  Json rejected_by = Json::object();
  for (int r = 0; r < static_cast<int>(RejectReason::kCount); ++r)
    rejected_by[reject_reason_name(static_cast<RejectReason>(r))] = m.rejected(static_cast<RejectReason>(r));
  j["requests"] = {{"arrived", m.arrived()}, {"completed", m.completed()},
                   {"rejected", m.rejected()}, {"in_flight_at_end", st.in_flight_at_end},
                   {"last_ended_s", st.end_s},
                   {"rejected_by_reason", rejected_by}};
  j["tokens"] = {{"input", m.input_tok()}, {"input_cache_hit", m.cached_tok()},
                 {"output", m.output_tok()},
                 {"cache_hit_share", m.input_tok() > 0 ? m.cached_tok() / m.input_tok() : 0.0}};
  // Of the completed requests (the realised workload, against the scenario's derivation).
  const RequestMix& done = m.completed_mix();
  j["lengths"] = {{"input_mean_tok", done.mean_computed_tok() + done.mean_cached_tok()},
                  {"output_mean_tok", done.mean_output_tok()},
                  {"kv_per_output_token", done.kv_tok_per_output_tok()}};
  // Per-node throughput as Day-6 states it: tokens over the node-time of that role.
  j["throughput"] = {
      {"prefill_input_tok_per_s_per_node", m.prefill_node_s() > 0 ? m.input_tok() / m.prefill_node_s() : 0.0},
      {"decode_output_tok_per_s_per_node", m.decode_node_s() > 0 ? m.output_tok() / m.decode_node_s() : 0.0}};
  j["latency"] = {{"ttft_s", dist(m.ttft_s())}, {"tpot_ms", dist(m.tpot_ms())},
                  {"output_tok_per_s", dist(m.stream_tok_per_s())}};
  j["latency"]["output_tok_per_s"]["token_weighted"] = m.token_weighted_stream_tok_per_s();
  const double node_h = m.node_s() / 3600.0;
  auto by_state_h = [](const RoleNodeSeconds& n) {
    return Json{{"warming", n.warming / 3600.0}, {"active", n.active / 3600.0}, {"draining", n.draining / 3600.0}};
  };
  j["fleet"] = {{"peak_nodes", m.peak_nodes()}, {"min_nodes", m.min_nodes()},
                {"avg_nodes", duration_s > 0 ? m.node_s() / duration_s : 0.0},
                {"avg_prefill_nodes", duration_s > 0 ? m.prefill_node_s() / duration_s : 0.0},
                {"avg_decode_nodes", duration_s > 0 ? m.decode_node_s() / duration_s : 0.0},
                {"node_hours", node_h},
                // Warming units load weights and draining ones finish their streams: held, not
                // taking new work.
                {"node_hours_by_state",
                 {{"prefill", by_state_h(m.prefill_node_s_by_state())},
                  {"decode", by_state_h(m.decode_node_s_by_state())}}}};
  // Served against servable: tokens over what the active nodes could serve at the capacity the
  // cost model gave each autoscaler decision (warming and draining nodes excluded).
  auto ratio = [](double num, double den) { return den > 0 ? num / den : 0.0; };
  j["capacity"] = {
      {"prefill_input_tok_per_s_per_node", ratio(m.prefill_capacity_tok(), m.prefill_node_s_by_state().active)},
      {"decode_output_tok_per_s_per_node_at_slo", ratio(m.decode_capacity_tok(), m.decode_node_s_by_state().active)},
      {"prefill_utilization", ratio(m.input_tok(), m.prefill_capacity_tok())},
      {"decode_utilization", ratio(m.output_tok(), m.decode_capacity_tok())}};
  j["economics"] = {{"cost_usd", e.cost_usd},
                    {"revenue_usd", e.theoretical_usd},
                    {"actual_revenue_usd", e.actual_usd},
                    {"margin_pct", e.margin_pct()},
                    {"actual_margin_pct", e.actual_margin_pct()},
                    {"usd_per_gpu_hour", s.pricing.usd_per_gpu_hour}};
  if (s.published_day) {
    const DayAgainstPublished d = compare_with_published(*s.published_day, e, duration_s / 3600.0);
    j["published_day"] = {{"hours_compared", d.hours.size()},
                          {"nodes_mean_abs_error", d.nodes_mean_abs_error},
                          {"nodes_max_abs_error", d.nodes_max_abs_error},
                          {"cost_mean_abs_error_pct", d.cost_mean_abs_error_pct},
                          {"theoretical_income_mean_abs_error_pct", d.income_mean_abs_error_pct}};
  }
  j["sim"] = {{"events", st.events},
              {"wall_s", st.wall_s},
              {"events_per_s", st.wall_s > 0 ? static_cast<double>(st.events) / st.wall_s : 0.0},
              {"requests_per_s", st.wall_s > 0 ? static_cast<double>(m.arrived()) / st.wall_s : 0.0},
              {"peak_rss_mb", st.peak_rss_mb}};
  return j;
}

}  // namespace fleetsim
