// `fleetsim plan SCENARIO [--slo.* ...] [--peak-rate R] --out DIR`: the cheapest fleet (unit shapes,
// unit counts, GPU type) meeting TTFT and stream-speed SLOs at the workload's peak, found by
// simulating candidates; prints the best fleets and the cost-latency frontier, writes
// plan.json, plan.csv, plan.md and plan.html.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "apps/fleetsim/commands.hpp"
#include "apps/fleetsim/number_option.hpp"
#include "sim/study/fleet_planner.hpp"

namespace fleetsim::cli {

namespace {

struct PlanOptions {
  PlanSpec spec;
  std::string out_dir;
  bool quick = false;
  bool quiet = false;
};

// The plan's progress on stderr at most once a second: the stage, its shapes or simulations done,
// every simulation so far, and an ETA within a stage of fleet simulations (whose count is known;
// sizing a shape is a search of unknown length).
class PlanProgressLine {
 public:
  void operator()(const PlanProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (p.stage != stage_) {
      stage_ = p.stage;
      stage_start_ = now;
    }
    const bool last = p.stage_total > 0 && p.stage_done == p.stage_total;
    if (!last && std::chrono::duration<double>(now - last_print_).count() < 1.0) return;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double in_stage = std::chrono::duration<double>(now - stage_start_).count();
    const bool sims = p.counts_simulations;
    std::string eta;
    if (sims && p.stage_done > 0 && !last) {
      const double left = in_stage / static_cast<double>(p.stage_done) *
                          static_cast<double>(p.stage_total - p.stage_done);
      eta = "  ETA " + std::to_string(static_cast<long>(left + 0.5)) + " s";
    }
    std::fprintf(stderr, "\r  plan: %s %zu/%zu%s  %zu simulations  elapsed %.0f s%s   ", p.stage.c_str(),
                 p.stage_done, p.stage_total, sims ? " simulations" : "", p.simulations, elapsed,
                 eta.c_str());
    std::fflush(stderr);
    last_print_ = now;
    printed_ = true;
  }
  void done() const {
    if (printed_) std::fprintf(stderr, "\n");
  }

 private:
  std::string stage_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point stage_start_ = start_;
  std::chrono::steady_clock::time_point last_print_{};
  bool printed_ = false;
};

void plan(PlanOptions o) {
  PlanSpec& s = o.spec;
  if (s.scenario.empty()) s.scenario = "scenarios/deepseek-v3-r1-day.json";
  if (o.quick) {
    // A small space for a first look: the scenario's unit sizes, budgets and redundancy only.
    s.vary_budgets = false;
    s.vary_redundant = false;
    s.overlap = {true};
  }
  const auto t0 = std::chrono::steady_clock::now();
  PlanProgressLine line;
  if (!o.quiet) s.progress = [&line](const PlanProgress& p) { line(p); };
  const PlanResult r = plan_fleet(s);
  line.done();
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string out = o.out_dir.empty() ? "out/plan" : o.out_dir;
  write_plan(s, r, out);
  std::printf("%s\nplan: %zu simulations in %.1f s -> %s/plan.md, plan.csv, plan.json, plan.html\n",
              plan_markdown(s, r).c_str(), r.evaluations.size(), wall_s, out.c_str());
  if (r.best.empty()) set_exit_code(1);
}

}  // namespace

void add_plan_command(CLI::App& app) {
  auto o = std::make_shared<PlanOptions>();
  auto* cmd = app.add_subcommand(
      "plan", "Find the cheapest fleet meeting latency SLOs at the peak load (simulates candidates)");
  PlanSpec& s = o->spec;
  cmd->add_option("scenario", s.scenario, "scenario JSON file (default scenarios/deepseek-v3-r1-day.json)");
  cmd->add_option("--set", s.overrides, "override a scenario field: path=value")->allow_extra_args(false);
  add_number_option(*cmd, "--slo.ttft-p99-s", s.slo.ttft_p99_s, "TTFT p99 target in s (default: the scenario's)")
      ->check(positive_number());
  add_number_option(*cmd, "--slo.min-output-tok-per-s", s.slo.min_output_tok_per_s,
                  "median per-stream output speed target (default: the scenario's)")
      ->check(positive_number());
  add_number_option(*cmd, "--slo.tpot-p99-ms", s.slo.tpot_p99_ms, "TPOT p99 target in ms (default: none)")
      ->check(positive_number());
  add_number_option(*cmd, "--peak-rate", s.peak_rate_per_s, "peak requests/s (default: the workload's peak hour)")
      ->check(positive_number());
  add_number_option(*cmd, "--load-fraction", s.load_fraction, "plan for this fraction of the peak rate")
      ->check(number_in(1e-6, 1.0))->capture_default_str();
  add_number_option(*cmd, "--window-s", s.window_s, "simulated window that decides a candidate")
      ->check(positive_number())->capture_default_str();
  add_number_option(*cmd, "--screen-s", s.screen_s, "short screening window run first")
      ->check(positive_number())->capture_default_str();
  add_number_option(*cmd, "--confirm-window-s", s.confirm_window_s,
                    "window the cheapest fleets are confirmed on (default: three EPLB periods, at least --window-s)")
      ->check(positive_number());
  cmd->add_option("--confirm-seeds", s.confirm_seeds,
                  "seeds each fleet is confirmed at, the scenario's and the next ones; the worst counts")
      ->check(integer_at_least(1))->capture_default_str();
  cmd->add_option("--hardware", s.hardware, "hardware profiles to consider (default: the scenario's)")
      ->allow_extra_args(false);
  cmd->add_option("--prefill-nodes", s.prefill_nodes_per_unit, "prefill unit sizes in nodes")
      ->delimiter(',')->check(integer_at_least(1))->capture_default_str();
  cmd->add_option("--decode-nodes", s.decode_nodes_per_unit, "decode unit sizes in nodes")
      ->delimiter(',')->check(integer_at_least(1))->capture_default_str();
  cmd->add_option("--max-extra-units", s.max_extra_units, "units searched above the lower bound; also the most a fleet that misses when confirmed grows")
      ->check(integer_at_least(0))->capture_default_str();
  cmd->add_option("--jobs,-j", s.jobs, "worker threads (0: one per core)")
      ->check(integer_at_least(0))
      ->capture_default_str();
  cmd->add_flag("--quick", o->quick, "search unit sizes only (scenario's budgets, redundancy, overlap on)");
  cmd->add_option("--out", o->out_dir, "output directory (default out/plan)");
  cmd->add_flag("--quiet", o->quiet, "no progress on stderr");
  cmd->callback([o] { plan(*o); });
}

}  // namespace fleetsim::cli
