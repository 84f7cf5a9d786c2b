// Expert placement for one MoE layer: which logical expert each physical slot (GPU x slot) holds,
// with redundant replicas of hot experts (Day-6 Expert-Parallel LB; EPLB, facts file section 5).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sim/util/registry.hpp"

namespace fleetsim {

struct PlacementShape {
  int num_logical_experts = 0;
  int num_groups = 1;          // expert groups of group-limited routing
  int num_nodes = 1;
  int num_gpus = 1;            // a multiple of num_nodes
  int num_physical_slots = 0;  // experts + redundant; a multiple of num_gpus
};

struct ExpertPlacement {
  int num_gpus = 0, slots_per_gpu = 0;
  std::vector<int> phy2log;               // size num_gpus*slots_per_gpu; slot s lives on GPU s / slots_per_gpu
  std::vector<std::vector<int>> log2phy;  // replicas of each logical expert, by replica rank
  int gpu_of_slot(int s) const { return s / slots_per_gpu; }
  int num_slots() const { return static_cast<int>(phy2log.size()); }
};

class ExpertPlacer {
 public:
  virtual ~ExpertPlacer() = default;
  virtual std::string name() const = 0;
  // expert_load: one non-negative load per logical expert (e.g. a moving average of tokens).
  virtual ExpertPlacement place(std::span<const double> expert_load, const PlacementShape& shape) = 0;
};

using ExpertPlacerRegistry = Registry<ExpertPlacer>;
// Selected in scenario.policies.expert_placement: none, greedy, hierarchical, global, eplb.
const ExpertPlacerRegistry& expert_placers();
void register_expert_placers(ExpertPlacerRegistry& reg);

// max / mean GPU load when each logical expert's load is split evenly over its replicas.
double gpu_imbalance(const ExpertPlacement& p, std::span<const double> expert_load);
// The same per-GPU loads (size num_gpus).
std::vector<double> gpu_loads(const ExpertPlacement& p, std::span<const double> expert_load);

// Checks the shape's divisibility rules (throws std::invalid_argument naming the rule broken);
// `hierarchical` adds groups % nodes == 0.
void check_shape(const PlacementShape& shape, std::size_t num_loads, bool hierarchical);
// Builds log2phy (replicas ordered by slot) from phy2log.
ExpertPlacement placement_from_phy2log(std::vector<int> phy2log, const PlacementShape& shape);

// The published EPLB algorithm (deepseek-ai/EPLB eplb.py, rebalance_experts_hierarchical) for one
// layer; log2phy lists replicas by replica rank as the reference does.
ExpertPlacement eplb_hierarchical(std::span<const double> expert_load, const PlacementShape& shape);
// rebalance_experts: hierarchical when num_groups % num_nodes == 0, else with groups = nodes = 1.
ExpertPlacement eplb_rebalance(std::span<const double> expert_load, const PlacementShape& shape);

}  // namespace fleetsim
