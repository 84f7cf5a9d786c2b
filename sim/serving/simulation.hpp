// One call from a validated scenario to its results: the serving system run, its metrics,
// economics and summary.json. Used by `fleetsim run`, sweeps, the planner and the regression gate.
#pragma once

#include <memory>

#include "sim/metrics/economics.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/serving/serving_system.hpp"

namespace fleetsim {

struct SimulationResult {
  std::unique_ptr<ServingSystem> system;  // kept for its metrics and timers
  RunStats stats;
  Economics economics;
  Json summary;
};

// Runs the scenario to its end. Thread-safe for distinct scenarios (no shared mutable state).
SimulationResult simulate(const ScenarioSpec& s, const ProgressFn& progress = {},
                          TimeNs capture_steps_at_ns = kTimeNever);

}  // namespace fleetsim
