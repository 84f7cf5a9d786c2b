// simulate(): scenario -> run -> economics -> summary.
#include "sim/serving/simulation.hpp"

#include "sim/metrics/metric_paths.hpp"

namespace fleetsim {

namespace {

Json run_summary(const ScenarioSpec& s, const Metrics& m, const Economics& e, const SimStats& st,
                 const ExpertBalanceStats& prefill_experts, const ExpertBalanceStats& decode_experts) {
  Json j = make_summary(s, m, e, st);
  // Expert-parallel balance: max/mean routed tokens per GPU, before and after each EPLB update.
  auto experts = [](const ExpertBalanceStats& x) {
    return Json{{"imbalance_before_mean", x.mean_before()}, {"imbalance_after_mean", x.mean_after()},
                {"updates", x.updates}};
  };
  j["experts"] = {{"prefill", experts(prefill_experts)}, {"decode", experts(decode_experts)}};
  return j;
}

// A validation row naming no metric of summary.json is a typo, found before the run rather than
// as a "missing" row after it. The summary of an empty run has every key a real one has.
void check_validation_metrics(const ScenarioSpec& s) {
  if (s.validation.empty()) return;
  const Metrics empty(s.duration_ns, s.sample_interval_ns);
  const Json skeleton = run_summary(s, empty, Economics{}, SimStats{}, {}, {});
  for (std::size_t i = 0; i < s.validation.size(); ++i) {
    const std::string& dotted = s.validation[i].metric;
    if (!metric_at(skeleton, dotted)) {
      throw ConfigError(s.file, "/validation/" + std::to_string(i) + "/metric",
                        "expected a dotted path to a number in summary.json (for example "
                        "\"tokens.input\" or \"latency.ttft_s.p99\"), got \"" + dotted + "\"");
    }
  }
}

}  // namespace

SimulationResult simulate(const ScenarioSpec& s, const ProgressFn& progress, TimeNs capture_steps_at_ns) {
  check_validation_metrics(s);
  SimulationResult r;
  r.system = std::make_unique<ServingSystem>(s);
  r.system->capture_steps_at(capture_steps_at_ns);
  r.stats = r.system->run(progress);
  r.economics = compute_economics(r.system->metrics().hours(), s);
  r.summary = run_summary(s, r.system->metrics(), r.economics,
                          SimStats{r.stats.events, r.stats.wall_s, peak_rss_mb(), r.stats.in_flight_at_end,
                                   ns_to_seconds(r.stats.end_ns)},
                          r.system->prefill_expert_stats(), r.system->decode_expert_stats());
  return r;
}

}  // namespace fleetsim
