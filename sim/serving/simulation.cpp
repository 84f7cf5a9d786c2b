// simulate(): scenario -> run -> economics -> summary.
#include "sim/serving/simulation.hpp"

namespace fleetsim {

SimulationResult simulate(const ScenarioSpec& s, const ProgressFn& progress) {
  SimulationResult r;
  r.system = std::make_unique<ServingSystem>(s);
  r.stats = r.system->run(progress);
  r.economics = compute_economics(r.system->metrics().hours(), s);
  r.summary = make_summary(s, r.system->metrics(), r.economics,
                           SimStats{r.stats.events, r.stats.wall_s, peak_rss_mb(), r.stats.in_flight});
  return r;
}

}  // namespace fleetsim
