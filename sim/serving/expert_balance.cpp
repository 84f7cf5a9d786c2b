// Periodic EPLB over the expert router's sampled load (see expert_balance.hpp).
#include "sim/serving/expert_balance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "sim/engine/portable_math.hpp"

namespace fleetsim {

namespace {
// kSamples: enough that the max/mean estimate is stable to ~1%. The kStepSamples measured after
// each placement are folded into equal-probability levels for the steps to draw from: the spread
// of a step's imbalance, not only its mean, at few distinct values so the step timer's memo stays
// effective.
constexpr int kStepLevels = 2;
}  // namespace

PlacementShape unit_placement_shape(const ModelSpec& model, const UnitSpec& unit) {
  PlacementShape shape;
  shape.num_logical_experts = model.moe.num_routed_experts;
  shape.num_groups = model.moe.num_expert_groups;
  shape.num_nodes = unit.nodes_per_unit;
  shape.num_gpus = unit.gpus_per_unit;
  shape.num_physical_slots = model.moe.num_routed_experts + unit.redundant_experts;
  return shape;
}

ExpertBalance::ExpertBalance(const ScenarioSpec& s, const UnitSpec& unit, StepTimer& timer,
                             const char* stream)
    : gpus_per_node_(s.hardware.gpus_per_node),
      timer_(timer),
      step_rng_(s.seed, std::string(stream) + ".steps") {
  const JsonReader pol(s.policies, s.file, "/policies");
  router_ = expert_routers().create(pol.at("expert_routing"), s.model.moe, Rng(s.seed, stream));
  placer_ = expert_placers().create(pol.at("eplb"));
  shape_ = unit_placement_shape(s.model, unit);
  // Before any load is seen: every expert equally loaded.
  const std::vector<double> uniform(static_cast<std::size_t>(shape_.num_logical_experts), 1.0);
  try {
    placement_ = placer_->place(uniform, shape_);
  } catch (const std::invalid_argument& e) {
    // A policy that cannot place this unit's shape is a scenario error, found before the run.
    throw ConfigError(s.file, "/policies/eplb",
                      std::string(e.what()) + " (" + std::to_string(shape_.num_groups) + " groups on " +
                          std::to_string(shape_.num_nodes) + " nodes of a " + stream +
                          " unit); expected a policy that fits every unit, e.g. \"eplb\" or \"global\"");
  }
  tokens_.assign(static_cast<std::size_t>(unit.gpus_per_unit), 0);
}

void ExpertBalance::fill_tokens(double tokens_per_gpu_mb) {
  std::fill(tokens_.begin(), tokens_.end(),
            std::max<std::int64_t>(1, pmath::llround(tokens_per_gpu_mb)));
}

double ExpertBalance::measure(double tokens_per_gpu_mb, int samples, double* dest_gpus_per_token,
                              std::vector<double>* each) {
  if (each) each->clear();
  fill_tokens(tokens_per_gpu_mb);
  double sum = 0, unique = 0, sent = 0;
  // The dispatch pairs are counted only when asked for (their copy -> unique ratios are the
  // costly part of a new placement's routing tables).
  const bool with_dispatch = dest_gpus_per_token != nullptr;
  for (int i = 0; i < samples; ++i) {
    router_->route(0, placement_, gpus_per_node_, tokens_, routed_, with_dispatch);
    const auto& g = routed_.gpu_tokens;
    const double mean = std::accumulate(g.begin(), g.end(), 0.0) / static_cast<double>(g.size());
    const double max = static_cast<double>(*std::max_element(g.begin(), g.end()));
    const double ratio = mean > 0 ? max / mean : 1.0;
    sum += ratio;
    if (each) each->push_back(ratio);
    if (!with_dispatch) continue;
    unique += static_cast<double>(std::accumulate(routed_.dispatch_gpu.begin(), routed_.dispatch_gpu.end(), std::int64_t{0}));
    sent += static_cast<double>(std::accumulate(tokens_.begin(), tokens_.end(), std::int64_t{0}));
  }
  if (dest_gpus_per_token) *dest_gpus_per_token = sent > 0 ? unique / sent : 0;
  return sum / samples;
}

double ExpertBalance::draw_step_imbalance() {
  if (step_imbalance_.empty()) return 0;  // before the first placement: the timer's mean
  return step_imbalance_[static_cast<std::size_t>(step_rng_.below(step_imbalance_.size()))];
}

void ExpertBalance::rebalance(TimeNs now, double tokens_per_gpu_mb) {
  if (stats_.updates == 0) {
    // The first placement gets the history every later one has: as many microbatches as are
    // measured after a placement, routed in the interval before its popularity moved. Placed on
    // the current popularity instead, the first period ran at an imbalance of about 1.1 against
    // 1.5-2.2 after, and the autoscaler's first decisions counted on that capacity.
    fill_tokens(tokens_per_gpu_mb);
    router_->start_with_history(placement_, gpus_per_node_, tokens_, kStepSamples);
  }
  router_->advance_to(now);
  stats_.imbalance_before = measure(tokens_per_gpu_mb, kSamples, nullptr, nullptr);
  const auto load = router_->load_ema(0);
  placement_ = placer_->place(load, shape_);
  // The dispatch fan-out is measured only for a timer that uses it: counting the unique
  // destinations is most of a new placement's routing cost, and routing gives the same loads
  // either way.
  double dest = 0;
  stats_.imbalance_after = measure(tokens_per_gpu_mb, kStepSamples,
                                   timer_.uses_dest_gpus_per_token() ? &dest : nullptr, &step_imbalance_);
  std::sort(step_imbalance_.begin(), step_imbalance_.end());
  std::vector<double> levels;
  for (int l = 0; l < kStepLevels; ++l) {
    const auto lo = step_imbalance_.begin() + l * kStepSamples / kStepLevels;
    const auto hi = step_imbalance_.begin() + (l + 1) * kStepSamples / kStepLevels;
    levels.push_back(std::accumulate(lo, hi, 0.0) / static_cast<double>(hi - lo));
  }
  step_imbalance_ = std::move(levels);
  ++stats_.updates;
  stats_.sum_before += stats_.imbalance_before;
  stats_.sum_after += stats_.imbalance_after;
  timer_.set_expert_imbalance(stats_.imbalance_after);
  if (dest > 0) timer_.set_dest_gpus_per_token(dest);
}

}  // namespace fleetsim
