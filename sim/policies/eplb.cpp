// The published EPLB algorithm (deepseek-ai/EPLB @d52c72d eplb.py), one layer at a time:
// pack expert groups to nodes, replicate the hottest experts within each node, pack the replicas
// onto the node's GPUs. Sort and tie order follow the reference so its README example reproduces.
#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "sim/policies/expert_placement.hpp"

namespace fleetsim {

namespace {

// balanced_packing: items in descending weight order (stable, so equal weights keep index order)
// each go to the lightest pack that is not yet full (lowest pack index on ties); every pack gets
// exactly n / num_packs items. Returns (pack, rank within pack) per item.
void balanced_packing(const std::vector<double>& weight, int num_packs, std::vector<int>& pack,
                      std::vector<int>& rank) {
  const int n = static_cast<int>(weight.size());
  const int per_pack = n / num_packs;
  pack.assign(static_cast<std::size_t>(n), 0);
  rank.assign(static_cast<std::size_t>(n), 0);
  if (per_pack == 1) {
    std::iota(pack.begin(), pack.end(), 0);
    return;
  }
  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return weight[a] > weight[b]; });
  std::vector<double> pack_weight(static_cast<std::size_t>(num_packs), 0.0);
  std::vector<int> pack_items(static_cast<std::size_t>(num_packs), 0);
  for (int item : order) {
    int best = -1;
    for (int p = 0; p < num_packs; ++p) {
      if (pack_items[p] >= per_pack) continue;
      if (best < 0 || pack_weight[p] < pack_weight[best]) best = p;
    }
    pack[item] = best;
    rank[item] = pack_items[best]++;
    pack_weight[best] += weight[item];
  }
}

// replicate_experts: each extra replica goes to the expert with the largest load per replica
// (first such expert on ties). Returns phy2log (originals first), replica rank, replica count.
void replicate_experts(const std::vector<double>& weight, int num_phy, std::vector<int>& phy2log,
                       std::vector<int>& rank, std::vector<int>& count) {
  const int num_log = static_cast<int>(weight.size());
  phy2log.resize(static_cast<std::size_t>(num_phy));
  rank.assign(static_cast<std::size_t>(num_phy), 0);
  count.assign(static_cast<std::size_t>(num_log), 1);
  std::iota(phy2log.begin(), phy2log.begin() + num_log, 0);
  for (int i = num_log; i < num_phy; ++i) {
    int best = 0;
    for (int e = 1; e < num_log; ++e) {
      if (weight[e] / count[e] > weight[best] / count[best]) best = e;
    }
    phy2log[i] = best;
    rank[i] = count[best]++;
  }
}

}  // namespace

void check_shape(const PlacementShape& s, std::size_t num_loads, bool hierarchical) {
  auto need = [](bool ok, const char* rule) {
    if (!ok) throw std::invalid_argument(std::string("expert placement: requires ") + rule);
  };
  need(s.num_logical_experts > 0 && s.num_groups > 0 && s.num_nodes > 0 && s.num_gpus > 0,
       "positive experts, groups, nodes and GPUs");
  need(num_loads == static_cast<std::size_t>(s.num_logical_experts), "one load per logical expert");
  need(s.num_physical_slots >= s.num_logical_experts, "num_physical_slots >= num_logical_experts");
  need(s.num_physical_slots % s.num_gpus == 0, "num_physical_slots % num_gpus == 0");
  need(s.num_gpus % s.num_nodes == 0, "num_gpus % num_nodes == 0");
  if (hierarchical) {
    need(s.num_logical_experts % s.num_groups == 0, "num_logical_experts % num_groups == 0");
    need(s.num_groups % s.num_nodes == 0, "num_groups % num_nodes == 0");
  }
}

ExpertPlacement eplb_hierarchical(std::span<const double> load, const PlacementShape& s) {
  check_shape(s, load.size(), true);
  const int E = s.num_logical_experts, P = s.num_physical_slots, N = s.num_nodes;
  const int group_size = E / s.num_groups, groups_per_node = s.num_groups / N;
  const int gpus_per_node = s.num_gpus / N, slots_per_gpu = P / s.num_gpus;
  const int log_per_node = E / N, phy_per_node = P / N;

  // Step 1: groups to nodes; experts renumbered node by node ("mlog").
  std::vector<double> group_load(static_cast<std::size_t>(s.num_groups), 0.0);
  for (int e = 0; e < E; ++e) group_load[e / group_size] += load[e];
  std::vector<int> group_pack, group_rank;
  balanced_packing(group_load, N, group_pack, group_rank);
  std::vector<int> mlog2log(static_cast<std::size_t>(E));
  for (int e = 0; e < E; ++e) {
    const int g = e / group_size;
    mlog2log[(group_pack[g] * groups_per_node + group_rank[g]) * group_size + e % group_size] = e;
  }

  std::vector<int> phy2log(static_cast<std::size_t>(P)), phy_rank(static_cast<std::size_t>(P));
  std::vector<double> mlog_load(static_cast<std::size_t>(log_per_node)), phy_load(static_cast<std::size_t>(phy_per_node));
  std::vector<int> phy2mlog, rank, count, pack, rank_in_pack, pphy2phy(static_cast<std::size_t>(phy_per_node));
  for (int node = 0; node < N; ++node) {
    // Step 2: replicas within the node.
    for (int j = 0; j < log_per_node; ++j) mlog_load[j] = load[mlog2log[node * log_per_node + j]];
    replicate_experts(mlog_load, phy_per_node, phy2mlog, rank, count);
    // Step 3: replicas to the node's GPUs, each weighing its expert's load / replica count.
    for (int k = 0; k < phy_per_node; ++k) phy_load[k] = mlog_load[phy2mlog[k]] / count[phy2mlog[k]];
    balanced_packing(phy_load, gpus_per_node, pack, rank_in_pack);
    for (int k = 0; k < phy_per_node; ++k) pphy2phy[pack[k] * slots_per_gpu + rank_in_pack[k]] = k;
    for (int q = 0; q < phy_per_node; ++q) {
      const int k = pphy2phy[q];
      phy2log[node * phy_per_node + q] = mlog2log[node * log_per_node + phy2mlog[k]];
      phy_rank[node * phy_per_node + q] = rank[k];
    }
  }

  ExpertPlacement out;
  out.num_gpus = s.num_gpus;
  out.slots_per_gpu = slots_per_gpu;
  out.log2phy.assign(static_cast<std::size_t>(E), {});
  for (int q = 0; q < P; ++q) {
    auto& reps = out.log2phy[phy2log[q]];
    if (static_cast<int>(reps.size()) <= phy_rank[q]) reps.resize(static_cast<std::size_t>(phy_rank[q]) + 1, -1);
    reps[phy_rank[q]] = q;
  }
  out.phy2log = std::move(phy2log);
  return out;
}

ExpertPlacement eplb_rebalance(std::span<const double> load, const PlacementShape& s) {
  if (s.num_groups > 0 && s.num_nodes > 0 && s.num_groups % s.num_nodes == 0) return eplb_hierarchical(load, s);
  PlacementShape flat = s;
  flat.num_groups = 1;
  flat.num_nodes = 1;
  return eplb_hierarchical(load, flat);
}

}  // namespace fleetsim
