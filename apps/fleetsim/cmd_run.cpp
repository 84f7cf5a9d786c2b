// `fleetsim run SCENARIO --out DIR`: simulates the scenario and writes summary.json, the CSV
// series, report.md and report.html; prints a short summary; progress on stderr.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "apps/fleetsim/commands.hpp"
#include "apps/fleetsim/number_option.hpp"
#include "apps/fleetsim/run_tables.hpp"
#include "reports/report_data.hpp"
#include "sim/metrics/economics.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/serving/simulation.hpp"

namespace fleetsim::cli {

namespace {

struct RunOptions {
  std::string scenario = "scenarios/deepseek-v3-r1-day.json";
  std::string out_dir;
  std::vector<std::string> overrides;
  double scale = 1.0;
  bool quiet = false;
  double trace_steps_at_s = -1;  // < 0: no step trace
};

// Progress on stderr at most once a second: simulated time reached, events/s, ETA.
class Progress {
 public:
  Progress(TimeNs duration_ns, bool quiet) : duration_ns_(duration_ns), quiet_(quiet) {}
  void operator()(TimeNs now, std::uint64_t events) {
    if (quiet_) return;
    const auto t = std::chrono::steady_clock::now();
    const double since_print = std::chrono::duration<double>(t - last_print_).count();
    if (since_print < 1.0) return;
    const double elapsed = std::chrono::duration<double>(t - start_).count();
    const double frac = static_cast<double>(now) / static_cast<double>(duration_ns_);
    const double rate = static_cast<double>(events - last_events_) / since_print;
    if (frac <= 1) {
      const double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
      std::fprintf(stderr, "\r  sim %6.2f h (%5.1f%%)  %6.2f M events/s  elapsed %5.0f s  ETA %5.0f s ",
                   ns_to_seconds(now) / 3600.0, frac * 100, rate / 1e6, elapsed, eta);
    } else {  // past the window: its last requests finishing (no ETA: a few minutes of sim time)
      std::fprintf(stderr, "\r  sim %6.2f h (window done, its last requests finishing)  %6.2f M events/s  elapsed %5.0f s ",
                   ns_to_seconds(now) / 3600.0, rate / 1e6, elapsed);
    }
    std::fflush(stderr);
    last_print_ = t;
    last_events_ = events;
    printed_ = true;
  }
  void done() {
    if (printed_ && !quiet_) std::fprintf(stderr, "\n");
  }

 private:
  TimeNs duration_ns_;
  bool quiet_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_print_ = start_;
  std::uint64_t last_events_ = 0;
};

void print_summary(const Json& j, const std::string& out_dir) {
  auto num = [&](const char* a, const char* b) { return j.at(a).at(b).get<double>(); };
  std::printf("\nfleetsim: %s (scale %.3g)\n", j["scenario"]["name"].get<std::string>().c_str(),
              num("scenario", "scale"));
  std::printf("  requests   %.0f arrived, %.0f completed, %.0f rejected (%.0f in flight at the end, finished after it)\n",
              num("requests", "arrived"), num("requests", "completed"), num("requests", "rejected"),
              num("requests", "in_flight_at_end"));
  std::printf("  tokens     %.1fB input (%.1f%% cache hit), %.1fB output\n", num("tokens", "input") / 1e9,
              100 * num("tokens", "cache_hit_share"), num("tokens", "output") / 1e9);
  std::printf("  per node   prefill %.1fk input tok/s, decode %.2fk output tok/s\n",
              num("throughput", "prefill_input_tok_per_s_per_node") / 1e3,
              num("throughput", "decode_output_tok_per_s_per_node") / 1e3);
  const auto& l = j["latency"];
  std::printf("  latency    TTFT p50 %.2f s p99 %.2f s; TPOT p50 %.1f ms p99 %.1f ms; %.1f tok/s per stream "
              "(token-weighted; %.1f per-request mean)\n",
              l["ttft_s"]["p50"].get<double>(), l["ttft_s"]["p99"].get<double>(),
              l["tpot_ms"]["p50"].get<double>(), l["tpot_ms"]["p99"].get<double>(),
              l["output_tok_per_s"]["token_weighted"].get<double>(),
              l["output_tok_per_s"]["mean"].get<double>());
  std::printf("  fleet      peak %.0f nodes, mean %.2f, min %.0f; %.0f node-hours\n",
              num("fleet", "peak_nodes"), num("fleet", "avg_nodes"), num("fleet", "min_nodes"),
              num("fleet", "node_hours"));
  std::printf("  economics  cost $%.0f, theoretical revenue $%.0f (margin %.0f%%), actual $%.0f (margin %.0f%%)\n",
              num("economics", "cost_usd"), num("economics", "revenue_usd"), num("economics", "margin_pct"),
              num("economics", "actual_revenue_usd"), num("economics", "actual_margin_pct"));
  if (j.contains("published_day") && num("published_day", "hours_compared") > 0) {
    const double hours = num("published_day", "hours_compared");
    std::printf("  published  %.0f hour%s against the published day: nodes off by %.1f on average (at most "
                "%.1f); hourly cost off by %.1f%%, theoretical income by %.1f%%\n",
                hours, hours == 1 ? "" : "s", num("published_day", "nodes_mean_abs_error"),
                num("published_day", "nodes_max_abs_error"), num("published_day", "cost_mean_abs_error_pct"),
                num("published_day", "theoretical_income_mean_abs_error_pct"));
  }
  std::printf("  simulator  %.3g events in %.1f s (%.2f M events/s), peak RSS %.0f MB\n",
              num("sim", "events"), num("sim", "wall_s"), num("sim", "events_per_s") / 1e6,
              num("sim", "peak_rss_mb"));
  std::printf("  report     %s/report.html (also report.md, summary.json, *.csv)\n", out_dir.c_str());
}

void run(const RunOptions& o) {
  const ScenarioSpec s = load_scenario(o.scenario, o.overrides, o.scale);
  Progress progress(s.duration_ns, o.quiet);
  SimulationResult r = simulate(
      s, [&](TimeNs now, std::uint64_t ev) { progress(now, ev); },
      o.trace_steps_at_s >= 0 ? seconds_to_ns(o.trace_steps_at_s) : kTimeNever);
  progress.done();
  ReportData data;
  data.summary = r.summary;
  data.tables = make_run_tables(s, r.system->metrics(), r.economics, data.summary);
  const std::string out = o.out_dir.empty() ? "out/" + s.name : o.out_dir;
  create_output_dir(out);
  write_text_file_in(out, "summary.json", data.summary.dump(2) + "\n");
  write_reports(data, out);
  if (o.trace_steps_at_s >= 0) write_text_file(out + "/step_trace.json", r.system->step_trace().dump() + "\n");
  print_summary(data.summary, out);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto opts = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Simulate a scenario and write its summary and report");
  cmd->add_option("scenario", opts->scenario, "scenario JSON file")->capture_default_str();
  cmd->add_option("--out", opts->out_dir, "output directory (default out/<scenario name>)");
  cmd->add_option("--set", opts->overrides, "override a scenario field: path.to.field=value")
      ->allow_extra_args(false);
  add_number_option(*cmd, "--scale", opts->scale, "run this fraction of the load and the node pool")
      ->capture_default_str();
  cmd->add_flag("--quiet", opts->quiet, "no progress on stderr");
  add_number_option(*cmd, "--trace-steps", opts->trace_steps_at_s,
                  "write step_trace.json (Chrome/Perfetto) of the first prefill and decode steps "
                  "starting at or after this simulated second")
      ->check(non_negative_number());
  cmd->callback([opts] { run(*opts); });
}

}  // namespace fleetsim::cli
