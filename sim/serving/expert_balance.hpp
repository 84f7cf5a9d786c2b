// Expert-parallel load balancing of one kind of unit: routes sample microbatches with the expert
// router, keeps the moving average of expert load, re-places experts with the EPLB policy every
// period, and gives the step timer the resulting GPU imbalance (max/mean routed tokens) and
// the number of distinct GPUs a token is dispatched to. Each step then draws the imbalance of
// one of the microbatches routed through the current placement, so steps vary as routing does.
#pragma once

#include <memory>

#include "sim/policies/expert_placement.hpp"
#include "sim/policies/expert_router.hpp"
#include "sim/serving/step_timer.hpp"

namespace fleetsim {

struct ExpertBalanceStats {
  double imbalance_before = 0;  // with the previous placement, on the new load
  double imbalance_after = 0;   // with the placement just computed
  int updates = 0;
  double sum_before = 0, sum_after = 0;
  double mean_before() const { return updates ? sum_before / updates : 0; }
  double mean_after() const { return updates ? sum_after / updates : 0; }
};

// The expert slots, groups, nodes and GPUs of one unit, as placement policies see them.
PlacementShape unit_placement_shape(const ModelSpec& model, const UnitSpec& unit);

class ExpertBalance {
 public:
  ExpertBalance(const ScenarioSpec& s, const UnitSpec& unit, StepTimer& timer, const char* stream);

  // Routed microbatches measured before each placement (they feed the load average it is made
  // from), and after it (the imbalance steps draw from; also the load history of the first).
  static constexpr int kSamples = 4;
  static constexpr int kStepSamples = 16;

  // Re-routes samples at simulated time `now` with `tokens_per_gpu_mb` tokens leaving each GPU
  // per microbatch, re-places the experts, and updates the step timer. The first call (at 0)
  // starts the router with a load history (ExpertRouter::start_with_history).
  void rebalance(TimeNs now, double tokens_per_gpu_mb);
  const ExpertBalanceStats& stats() const { return stats_; }
  // The imbalance to plan capacity with: the mean over every placement made so far (0 before
  // the first, which leaves the step timer's own). A unit started now serves under placements
  // not yet made (EPLB re-places every period; a warm-up lasts about as long), and each leaves a
  // draw from the same spread of expert popularity, so the current one says little about the
  // next: planned at it, capacity swung by +-20% between periods at the default scenario.
  double planning_imbalance() const { return stats_.mean_after(); }
  // The max/mean GPU load of one routed microbatch, drawn for a step.
  double draw_step_imbalance();

 private:
  void fill_tokens(double tokens_per_gpu_mb);
  // Mean over `samples` routed microbatches of max/mean GPU load (each kept in `each` when given);
  // updates the load average.
  double measure(double tokens_per_gpu_mb, int samples, double* dest_gpus_per_token,
                 std::vector<double>* each);

  int gpus_per_node_;
  StepTimer& timer_;
  std::unique_ptr<ExpertRouter> router_;
  std::unique_ptr<ExpertPlacer> placer_;
  PlacementShape shape_;
  ExpertPlacement placement_;
  RoutingResult routed_;
  std::vector<std::int64_t> tokens_;
  ExpertBalanceStats stats_;
  std::vector<double> step_imbalance_;  // of the microbatches routed after the last placement
  Rng step_rng_;
};

}  // namespace fleetsim
