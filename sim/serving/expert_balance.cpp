// Periodic EPLB over the expert router's sampled load (see expert_balance.hpp).
#include "sim/serving/expert_balance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fleetsim {

namespace {
// Routed microbatches per measurement: enough that the max/mean estimate is stable to ~1%.
constexpr int kSamples = 4;
}  // namespace

ExpertBalance::ExpertBalance(const ScenarioSpec& s, const UnitSpec& unit, StepTimer& timer,
                             const char* stream)
    : unit_(unit), gpus_per_node_(s.hardware.gpus_per_node), timer_(timer) {
  const JsonReader pol(s.policies, s.file, "/policies");
  router_ = expert_routers().create(pol.at("expert_routing"), s.model.moe, Rng(s.seed, stream));
  placer_ = expert_placers().create(pol.at("eplb"));
  shape_.num_logical_experts = s.model.moe.num_routed_experts;
  shape_.num_groups = s.model.moe.num_expert_groups;
  shape_.num_nodes = unit.nodes_per_unit;
  shape_.num_gpus = unit.gpus_per_unit;
  shape_.num_physical_slots = s.model.moe.num_routed_experts + unit.redundant_experts;
  // Before any load is seen: every expert equally loaded.
  const std::vector<double> uniform(static_cast<std::size_t>(shape_.num_logical_experts), 1.0);
  placement_ = placer_->place(uniform, shape_);
  tokens_.assign(static_cast<std::size_t>(unit.gpus_per_unit), 0);
}

double ExpertBalance::measure(double tokens_per_gpu_mb, double* dest_gpus_per_token) {
  std::fill(tokens_.begin(), tokens_.end(),
            std::max<std::int64_t>(1, static_cast<std::int64_t>(std::llround(tokens_per_gpu_mb))));
  double sum = 0, unique = 0, sent = 0;
  for (int i = 0; i < kSamples; ++i) {
    router_->route(0, placement_, gpus_per_node_, tokens_, routed_);
    const auto& g = routed_.gpu_tokens;
    const double mean = std::accumulate(g.begin(), g.end(), 0.0) / static_cast<double>(g.size());
    const double max = static_cast<double>(*std::max_element(g.begin(), g.end()));
    sum += mean > 0 ? max / mean : 1.0;
    unique += static_cast<double>(std::accumulate(routed_.dispatch_gpu.begin(), routed_.dispatch_gpu.end(), std::int64_t{0}));
    sent += static_cast<double>(std::accumulate(tokens_.begin(), tokens_.end(), std::int64_t{0}));
  }
  if (dest_gpus_per_token) *dest_gpus_per_token = sent > 0 ? unique / sent : 0;
  return sum / kSamples;
}

void ExpertBalance::rebalance(TimeNs now, double tokens_per_gpu_mb) {
  router_->advance_to(now);
  stats_.imbalance_before = measure(tokens_per_gpu_mb, nullptr);
  const auto load = router_->load_ema(0);
  placement_ = placer_->place(load, shape_);
  double dest = 0;
  stats_.imbalance_after = measure(tokens_per_gpu_mb, &dest);
  ++stats_.updates;
  stats_.sum_before += stats_.imbalance_before;
  stats_.sum_after += stats_.imbalance_after;
  timer_.set_expert_imbalance(stats_.imbalance_after);
  if (dest > 0) timer_.set_dest_gpus_per_token(dest);
}

}  // namespace fleetsim
