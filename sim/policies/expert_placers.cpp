// The built-in expert placers: none (identity), greedy, and the published EPLB policies
// (hierarchical, global, eplb = the reference's own choice between them).
#include <algorithm>
#include <memory>
#include <numeric>

#include "sim/policies/expert_placement.hpp"

namespace fleetsim {

namespace {

// Experts in order, then the redundant slots filled with copies of experts 0, 1, ...
class IdentityPlacer final : public ExpertPlacer {
 public:
  std::string name() const override { return "none"; }
  ExpertPlacement place(std::span<const double> load, const PlacementShape& s) override {
    check_shape(s, load.size(), false);
    std::vector<int> phy2log(static_cast<std::size_t>(s.num_physical_slots));
    for (int q = 0; q < s.num_physical_slots; ++q) phy2log[q] = q % s.num_logical_experts;
    return placement_from_phy2log(std::move(phy2log), s);
  }
};

// Replicate the expert with the largest load per replica, then place replicas heaviest first on
// the least-loaded GPU with a free slot, preferring GPUs that do not yet hold that expert (a
// second replica on the same GPU would not spread its load). Ignores groups and nodes.
class GreedyPlacer final : public ExpertPlacer {
 public:
  std::string name() const override { return "greedy"; }
  ExpertPlacement place(std::span<const double> load, const PlacementShape& s) override {
    check_shape(s, load.size(), false);
    const int E = s.num_logical_experts, P = s.num_physical_slots, G = s.num_gpus, per_gpu = P / G;
    std::vector<int> count(static_cast<std::size_t>(E), 1), rep_expert(static_cast<std::size_t>(P));
    std::iota(rep_expert.begin(), rep_expert.begin() + E, 0);
    for (int i = E; i < P; ++i) {
      int best = 0;
      for (int e = 1; e < E; ++e) {
        if (load[e] / count[e] > load[best] / count[best]) best = e;
      }
      rep_expert[i] = best;
      ++count[best];
    }
    std::vector<int> order(static_cast<std::size_t>(P));
    std::iota(order.begin(), order.end(), 0);
    auto rep_load = [&](int i) { return load[rep_expert[i]] / count[rep_expert[i]]; };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return rep_load(a) > rep_load(b); });

    std::vector<double> gpu_load(static_cast<std::size_t>(G), 0.0);
    std::vector<int> used(static_cast<std::size_t>(G), 0);
    std::vector<int> phy2log(static_cast<std::size_t>(P), -1);
    auto holds = [&](int g, int e) {
      for (int k = 0; k < used[g]; ++k) {
        if (phy2log[g * per_gpu + k] == e) return true;
      }
      return false;
    };
    for (int i : order) {
      const int e = rep_expert[i];
      int best = -1;
      bool best_fresh = false;
      for (int g = 0; g < G; ++g) {
        if (used[g] >= per_gpu) continue;
        const bool fresh = count[e] == 1 || !holds(g, e);
        if (best < 0 || (fresh && !best_fresh) || (fresh == best_fresh && gpu_load[g] < gpu_load[best])) {
          best = g;
          best_fresh = fresh;
        }
      }
      phy2log[best * per_gpu + used[best]++] = e;
      gpu_load[best] += rep_load(i);
    }
    return placement_from_phy2log(std::move(phy2log), s);
  }
};

class EplbPlacer final : public ExpertPlacer {
 public:
  enum class Mode { kHierarchical, kGlobal, kAuto };
  EplbPlacer(std::string name, Mode mode) : name_(std::move(name)), mode_(mode) {}
  std::string name() const override { return name_; }
  ExpertPlacement place(std::span<const double> load, const PlacementShape& s) override {
    switch (mode_) {
      case Mode::kHierarchical:
        return eplb_hierarchical(load, s);
      case Mode::kGlobal: {
        PlacementShape flat = s;
        flat.num_groups = 1;
        flat.num_nodes = 1;
        return eplb_hierarchical(load, flat);
      }
      case Mode::kAuto:
        break;
    }
    return eplb_rebalance(load, s);
  }

 private:
  std::string name_;
  Mode mode_;
};

template <class T, class... A>
ExpertPlacerRegistry::Factory factory(A... a) {
  return [=](const Params&) -> std::unique_ptr<ExpertPlacer> { return std::make_unique<T>(a...); };
}

}  // namespace

void register_expert_placers(ExpertPlacerRegistry& reg) {
  reg.add({"none", "identity: experts in order, redundant slots hold copies of experts 0, 1, ...", {},
           factory<IdentityPlacer>()});
  reg.add({"greedy",
           "replicate the highest load-per-replica expert, then pack replicas heaviest first onto "
           "the least-loaded GPU (avoiding a second replica of one expert on one GPU)",
           {}, factory<GreedyPlacer>()});
  reg.add({"hierarchical",
           "EPLB hierarchical: groups packed to nodes, replication within nodes, replicas packed to GPUs "
           "(requires num_groups % num_nodes == 0)",
           {}, factory<EplbPlacer>(std::string("hierarchical"), EplbPlacer::Mode::kHierarchical)});
  reg.add({"global", "EPLB global: replication and packing over all GPUs (groups = nodes = 1)", {},
           factory<EplbPlacer>(std::string("global"), EplbPlacer::Mode::kGlobal)});
  reg.add({"eplb", "EPLB rebalance_experts: hierarchical when num_groups % num_nodes == 0, else global", {},
           factory<EplbPlacer>(std::string("eplb"), EplbPlacer::Mode::kAuto)});
}

ExpertPlacement placement_from_phy2log(std::vector<int> phy2log, const PlacementShape& s) {
  ExpertPlacement out;
  out.num_gpus = s.num_gpus;
  out.slots_per_gpu = s.num_physical_slots / s.num_gpus;
  out.log2phy.assign(static_cast<std::size_t>(s.num_logical_experts), {});
  for (int q = 0; q < static_cast<int>(phy2log.size()); ++q) out.log2phy[phy2log[q]].push_back(q);
  out.phy2log = std::move(phy2log);
  return out;
}

std::vector<double> gpu_loads(const ExpertPlacement& p, std::span<const double> load) {
  std::vector<double> g(static_cast<std::size_t>(p.num_gpus), 0.0);
  for (int q = 0; q < p.num_slots(); ++q) {
    const int e = p.phy2log[q];
    g[p.gpu_of_slot(q)] += load[e] / static_cast<double>(p.log2phy[e].size());
  }
  return g;
}

double gpu_imbalance(const ExpertPlacement& p, std::span<const double> load) {
  const std::vector<double> g = gpu_loads(p, load);
  const double total = std::accumulate(g.begin(), g.end(), 0.0);
  if (!(total > 0)) return 1.0;
  return *std::max_element(g.begin(), g.end()) / (total / static_cast<double>(g.size()));
}

}  // namespace fleetsim
