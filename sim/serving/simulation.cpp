// simulate(): scenario -> run -> economics -> summary.
#include "sim/serving/simulation.hpp"

namespace fleetsim {

SimulationResult simulate(const ScenarioSpec& s, const ProgressFn& progress, TimeNs capture_steps_at_ns) {
  SimulationResult r;
  r.system = std::make_unique<ServingSystem>(s);
  r.system->capture_steps_at(capture_steps_at_ns);
  r.stats = r.system->run(progress);
  r.economics = compute_economics(r.system->metrics().hours(), s);
  r.summary = make_summary(s, r.system->metrics(), r.economics,
                           SimStats{r.stats.events, r.stats.wall_s, peak_rss_mb(), r.stats.in_flight});
  // Expert-parallel balance: max/mean routed tokens per GPU, before and after each EPLB update.
  auto experts = [](const ExpertBalanceStats& e) {
    return Json{{"imbalance_before_mean", e.mean_before()}, {"imbalance_after_mean", e.mean_after()},
                {"updates", e.updates}};
  };
  r.summary["experts"] = {{"prefill", experts(r.system->prefill_expert_stats())},
                          {"decode", experts(r.system->decode_expert_stats())}};
  return r;
}

}  // namespace fleetsim
