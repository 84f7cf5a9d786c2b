// Synthetic report data for tests: smooth daily curves, no randomness.
#include "tests/reports/synthetic_report.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace fleetsim::test {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kStartHour = 12;

std::string clock_text(int minutes_since_midnight) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d", (minutes_since_midnight / 60) % 24,
                minutes_since_midnight % 60);
  return buffer;
}

// 0..1 daily load shape: low around 04:00-06:00, peak in the afternoon and evening.
double load_shape(double hour_of_day) {
  return 0.62 + 0.3 * std::sin((hour_of_day - 9.0) / 24.0 * 2 * kPi) +
         0.08 * std::sin((hour_of_day - 7.0) / 12.0 * 2 * kPi);
}

}  // namespace

ReportData synthetic_report(int interval_min) {
  ReportData data;
  data.summary = Json::parse(R"({
    "scenario": {"name": "deepseek-v3-day", "seed": 42, "scale": 1.0},
    "requests": {"arrived": 1180000000, "completed": 1179045679, "rejected": 954321, "in_flight_at_end": 245679, "last_ended_s": 87012.5},
    "tokens": {"input": 608000000000, "input_cache_hit": 342000000000, "output": 168000000000},
    "throughput": {"prefill_input_tok_per_s_per_node": 73700.5, "decode_output_tok_per_s_per_node": 14800.25},
    "latency": {
      "ttft_s": {"mean": 1.42, "p50": 0.91, "p90": 2.7, "p99": 7.9},
      "tpot_ms": {"mean": 48.2, "p50": 45.1, "p90": 58.3, "p99": 71.6},
      "output_tok_per_s": {"mean": 21.5, "p50": 22.2, "p90": 27.0, "p99": 31.4}},
    "fleet": {"peak_nodes": 278, "avg_nodes": 226.75, "min_nodes": 172, "node_hours": 5442.0},
    "economics": {"cost_usd": 87072.0, "revenue_usd": 562027.0, "actual_revenue_usd": 201300.0,
                  "margin_pct": 545.5, "actual_margin_pct": 131.2},
    "published_day": {"hours_compared": 24, "nodes_mean_abs_error": 31.4, "nodes_max_abs_error": 88.2,
                      "cost_mean_abs_error_pct": 14.2, "theoretical_income_mean_abs_error_pct": 2.9},
    "sim": {"events": 912345678, "wall_s": 512.3, "events_per_s": 1781000.0, "peak_rss_mb": 1834.5}
  })");

  SeriesTable timeline{"timeline", "Fleet state over the day",
                       {"t_h", "clock", "nodes_total", "nodes_prefill", "nodes_decode",
                        "arrivals_per_s", "input_tok_per_s", "output_tok_per_s",
                        "prefill_input_tok_per_s_per_node", "decode_output_tok_per_s_per_node",
                        "decode_batch_per_gpu", "output_tok_per_s_per_stream", "ttft_p50_s",
                        "ttft_p99_s", "tpot_p50_ms", "tpot_p99_ms", "prefill_queue_requests",
                        "rejected_requests", "published_nodes"},
                       {}};
  // A published day: the full fleet by day, a night step down from 01:00 to 07:00.
  auto published_nodes = [](double hour_of_day) {
    const double h = std::fmod(hour_of_day, 24.0);
    return h >= 1 && h < 7 ? 168.0 : 278.0;
  };
  for (int minute = 0; minute < 24 * 60; minute += interval_min) {
    const double t_h = minute / 60.0;
    const double shape = load_shape(kStartHour + t_h);
    const int decode = static_cast<int>(std::lround(130 + 80 * shape));
    const int prefill = static_cast<int>(std::lround(38 + 30 * shape));
    const double input = 7.04e6 * shape / 0.62;
    const double output = 1.95e6 * shape / 0.62;
    timeline.rows.push_back({t_h, clock_text(kStartHour * 60 + minute), prefill + decode, prefill,
                             decode, 13700.0 * shape / 0.62, input, output, input / prefill,
                             output / decode, 20 + 40 * shape, 21.0 + 4 * (1 - shape),
                             0.6 + 0.6 * shape, 5.0 + 6 * shape, 40.0 + 10 * shape,
                             60.0 + 15 * shape, std::lround(200 * shape * shape),
                             minute / interval_min % 50 == 7 ? 25 : 0,  // a few rejections
                             published_nodes(kStartHour + t_h)});
  }

  // Autoscaler decisions every 5 minutes: demand following the load, capacity asked for in
  // whole units above it.
  SeriesTable decisions{"fleet_decisions", "Autoscaler decisions",
                        {"t_h", "clock", "computed_tok_per_s", "prefill_target_tok_per_s", "output_tok_per_s",
                         "decode_target_tok_per_s_at_slo"},
                        {}};
  constexpr int kDecisionMin = 5;
  for (int minute = 0; minute < 24 * 60; minute += kDecisionMin) {
    const double t_h = minute / 60.0;
    const double shape = load_shape(kStartHour + t_h);
    const double computed = 3.08e6 * shape / 0.62, output = 1.95e6 * shape / 0.62;
    decisions.rows.push_back({t_h, clock_text(kStartHour * 60 + minute), computed,
                              std::ceil(computed * 1.1 / 2.0e5) * 2.0e5, output,
                              std::ceil(output / 2.7e5) * 2.7e5});
  }

  SeriesTable hourly{"hourly", "Cost and income per hour",
                     {"hour", "nodes_avg", "cost_usd", "theoretical_income_usd", "actual_income_usd",
                      "input_tokens", "cache_hit_tokens", "output_tokens"},
                     {}};
  for (int h = 0; h < 24; ++h) {
    const double shape = load_shape(kStartHour + h + 0.5);
    const double nodes = 38 + 30 * shape + 130 + 80 * shape;
    const double cost = nodes * 16.0;  // 8 GPUs x $2/GPU-hour
    const double income = 23418.0 * shape / 0.62;
    hourly.rows.push_back({clock_text((kStartHour + h) * 60), nodes, cost, income, income * 0.358,
                           static_cast<long long>(2.533e10 * shape / 0.62),
                           static_cast<long long>(1.425e10 * shape / 0.62),
                           static_cast<long long>(7.0e9 * shape / 0.62)});
  }

  SeriesTable published{"published_day", "Hour by hour against the published day",
                        {"hour", "nodes_avg", "published_nodes", "nodes_error", "cost_usd", "published_cost_usd",
                         "cost_error_pct", "theoretical_income_usd", "published_theoretical_income_usd",
                         "income_error_pct"},
                        {}};
  for (const auto& row : hourly.rows) {
    const double nodes = row[1].get<double>(), cost = row[2].get<double>(), income = row[3].get<double>();
    const double pub_nodes = published_nodes(kStartHour + static_cast<double>(published.rows.size()));
    const double pub_cost = pub_nodes * 16.0, pub_income = income * 1.03;
    published.rows.push_back({row[0], nodes, pub_nodes, nodes - pub_nodes, cost, pub_cost,
                              (cost - pub_cost) / pub_cost * 100, income, pub_income,
                              (income - pub_income) / pub_income * 100});
  }

  // Log-spaced TTFT bins from 50 ms to 60 s; counts follow a log-normal around 0.9 s.
  SeriesTable ttft{"ttft_hist", "Time to first token", {"lo_s", "hi_s", "count"}, {}};
  constexpr int kTtftBins = 40;
  for (int i = 0; i < kTtftBins; ++i) {
    const double lo = 0.05 * std::pow(1200.0, static_cast<double>(i) / kTtftBins);
    const double hi = 0.05 * std::pow(1200.0, static_cast<double>(i + 1) / kTtftBins);
    const double z = (std::log(std::sqrt(lo * hi)) - std::log(0.9)) / 0.8;
    ttft.rows.push_back({lo, hi, std::llround(9.0e7 * std::exp(-0.5 * z * z))});
  }
  SeriesTable tpot{"tpot_hist", "Time per output token", {"lo_ms", "hi_ms", "count"}, {}};
  for (int i = 0; i < 40; ++i) {
    const double lo = 20.0 + 2.0 * i;
    const double z = (lo + 1.0 - 46.0) / 8.0;
    tpot.rows.push_back({lo, lo + 2.0, std::llround(8.0e7 * std::exp(-0.5 * z * z))});
  }

  SeriesTable validation{"validation", "Validation against published figures",
                         {"metric", "published", "simulated", "error_pct", "tolerance_pct", "status"},
                         {}};
  validation.rows = {
      {"prefill input tok/s per node", 73700, 72950.4, -1.02, 10, "pass"},
      {"decode output tok/s per node", 14800, 14512.8, -1.94, 10, "pass"},
      {"peak nodes", 278, 281, 1.08, 5, "pass"},
      {"theoretical margin %", 545, 498.2, -8.59, 5, "fail"}};

  SeriesTable rejections{"rejections", "Rejected requests", {"reason", "count"}, {}};
  rejections.rows = {{"kv_cache_full", 612000}, {"rate_limited", 301221}, {"deadline, \"queue\"", 41100}};

  data.tables = {timeline, decisions, hourly, published, ttft, tpot, validation, rejections};
  return data;
}

}  // namespace fleetsim::test
