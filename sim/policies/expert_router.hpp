// Per-step token -> expert routing of an MoE layer with skewed, slowly drifting expert popularity
// and DeepSeek-V3 group-limited top-k; turns a placement and per-GPU token counts into tokens per
// physical slot and the dispatch traffic (unique token copies per destination GPU and node).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/engine/rng.hpp"
#include "sim/engine/time.hpp"
#include "sim/policies/expert_placement.hpp"
#include "sim/policies/sampling.hpp"
#include "sim/spec/model_spec.hpp"
#include "sim/util/registry.hpp"

namespace fleetsim {

struct ExpertRouterConfig {
  // From the model (models/*.json "moe").
  int num_experts = 0;
  int num_groups = 1;
  int groups_selected = 1;
  int top_k = 1;
  // Popularity model: "lognormal" (p_e = exp(sigma z_e)), "zipf" (p = rank^-exponent, ranks by
  // z_e) or "uniform"; z_e ~ N(0,1) follows an Ornstein-Uhlenbeck process with correlation time
  // drift_time_s (0 = frozen), stepped every refresh_interval_s of simulated time.
  std::string popularity = "lognormal";
  double sigma = 1.0;
  double zipf_exponent = 1.0;
  double drift_time_s = 0;
  double refresh_interval_s = 60;
  int num_layers = 1;         // MoE layers modelled, each with its own popularity
  int pool_tokens = 16384;    // tokens sampled exactly per refresh to estimate the fast sampler's statistics
  double load_ema_alpha = 0.05;  // weight of the newest step in the per-expert load moving average
  bool exact = false;         // route every token individually (slow; for tests and small runs)
};

struct RoutingResult {
  int num_gpus = 0, num_nodes = 0;
  std::vector<std::int64_t> slot_tokens;    // per physical slot: tokens its replica computes
  std::vector<std::int64_t> gpu_tokens;     // per GPU: sum of its slots (dispatch receive load)
  std::vector<std::int64_t> expert_tokens;  // per logical expert (sum over its replicas)
  std::vector<std::int64_t> dispatch_gpu;   // [src * num_gpus + dst]: unique (token, dst GPU) pairs
  std::vector<std::int64_t> dispatch_node;  // [src * num_nodes + node]: unique (token, dst node) pairs
  std::int64_t gpu_pair(int src, int dst) const { return dispatch_gpu[static_cast<std::size_t>(src * num_gpus + dst)]; }
  std::int64_t node_pair(int src, int node) const {
    return dispatch_node[static_cast<std::size_t>(src * num_nodes + node)];
  }
};

// Token model (exact sampler): each token draws an exponential race key E_e / p_e per expert
// (equivalent to Gumbel-top-k: sampling without replacement in proportion to popularity); each
// group scores its best key, the token keeps the groups_selected best groups and the top_k best
// experts inside them. (DeepSeek-V3 scores a group by its top-2 affinities; with one random key
// per expert the best key is the natural analogue, as in DeepSeek-V2's device-limited routing.)
// Drawn in race order, by the race's own laws, instead of all 256 keys: a group's best key is
// Exp(1) / (its total popularity), won by expert e with probability p_e / total; once a group's
// lowest keys are known, its next one exceeds the last by Exp(1) / (the popularity of its experts
// still in the race), won in proportion to popularity among them. The token's experts are taken
// one at a time from the lowest of the selected groups' next keys, so a DeepSeek-V3 token costs
// 8 group keys and 4 + 7 draws in groups (instead of 8 + 4 x 31), with the same distribution.
//
// Replica choice for a token from GPU s: a replica on s itself; else one on s's node; else any;
// among several, round-robin per (source GPU, expert).
//
// Fast sampler (default): per source GPU with T tokens, a source with T * top_k below
// slots + GPUs draws T tokens from the pool of exactly-sampled tokens (bootstrap; dedup exact);
// a larger one draws expert counts ~ Multinomial(T * top_k, q_e / top_k) (copy by copy from an
// alias table up to 8 copies per expert, by conditional binomials above), q_e = inclusion
// probability measured on the pool, splits them over replicas by the rule above, and turns token
// copies per destination into unique tokens with the copy->unique ratio measured by routing a
// pool sample from that source. Means are exact up to the pool's estimate of q_e
// (relative sd sqrt((1-q)/(q * pool_tokens))); per-expert variance T q (1 - q/top_k) instead of
// T q (1 - q), a few percent high for hot experts.
class ExpertRouter {
 public:
  ExpertRouter(ExpertRouterConfig cfg, Rng rng);

  const ExpertRouterConfig& config() const { return cfg_; }
  // Evolves popularity to simulated time `now` (whole refresh intervals; never backwards).
  void advance_to(TimeNs now);

  // Gives a run that starts at 0 a load history: the popularity clock is set one refresh interval
  // before 0 and `microbatches` microbatches per layer are routed there, so a placement made at 0
  // from the load average is as stale as every later one (measured in the interval before its
  // popularity moved), not fitted to the popularity it then serves. Only before any advance_to.
  void start_with_history(const ExpertPlacement& placement, int gpus_per_node,
                          std::span<const std::int64_t> tokens_per_gpu, int microbatches);

  // Routes one microbatch of layer `layer`: tokens_per_gpu[s] tokens leave source GPU s (one
  // entry per GPU of the placement). `out` is reused: no allocation once it has grown. Without
  // `with_dispatch` only the loads are counted (slot, GPU and expert tokens, and the load
  // average): the dispatch pairs stay zero, and the copy -> unique ratios they need are not
  // measured for this placement until a route asks for them. The loads, and every later result,
  // are the same either way.
  void route(int layer, const ExpertPlacement& placement, int gpus_per_node,
             std::span<const std::int64_t> tokens_per_gpu, RoutingResult& out, bool with_dispatch = true);

  // Normalised popularity p_e, and the per-token inclusion probability q_e (sums to top_k)
  // measured on the pool, of a layer.
  std::span<const double> popularity(int layer);
  std::span<const double> inclusion_probability(int layer);
  // Moving average of each expert's share of a routed microbatch's token copies (input to EPLB
  // recomputation; sums to 1 once a microbatch has been routed).
  std::span<const double> load_ema(int layer) const { return layers_[static_cast<std::size_t>(layer)].load_ema; }

  // One token's top_k experts, by the exact model (for tests). `experts` has top_k entries.
  void sample_token(int layer, std::span<int> experts);

 private:
  // A physical slot with its GPU and node worked out once (the hot loops would divide per copy).
  struct Replica {
    int slot = 0, gpu = 0, node = 0;
  };
  struct Layer {
    std::vector<double> z, popularity, inclusion, load_ema;
    std::vector<double> group_popularity;  // sum of popularity over each expert group
    std::vector<int> group_positive;       // experts with popularity > 0 in each group
    std::vector<double> group_cumulative;  // popularity summed from the start of its group to each expert
    std::vector<double> pick_share;  // inclusion / top_k: share of token copies per expert
    AliasTable pick_alias;           // the same shares, for copy-by-copy draws
    std::vector<int> pool;  // pool_tokens x top_k experts
    bool pool_stale = true, ema_started = false;
    // Placement-dependent tables, rebuilt when the placement or node size changes.
    std::vector<int> placed_phy2log;
    int placed_gpus_per_node = 0;
    bool tables_stale = true;
    bool ratios_stale = true;  // unique_ratio_* and max_*_per_token not yet measured for the tables
    std::vector<int> cand_begin, cand_count;  // replica candidates per (source GPU, expert)
    std::vector<Replica> cand;
    std::vector<double> unique_ratio_gpu, unique_ratio_node;  // per (source, dst GPU / node)
    // Most GPUs / nodes one sampled token from each source reached: a hard cap on the fast
    // sampler's unique counts (e.g. groups_selected nodes when groups map to nodes).
    std::vector<int> max_gpus_per_token, max_nodes_per_token;
  };

  void update_popularity(Layer& l);
  void refresh_pool(Layer& l);
  void prepare(Layer& l, const ExpertPlacement& p, int gpus_per_node);
  void measure_unique_ratios(Layer& l, const ExpertPlacement& p, int gpus_per_node);
  void sample_token(const Layer& l, Rng& rng, std::span<int> experts);
  // Sends one token with the given experts from GPU s; counts slots and unique destinations.
  void send_token(Layer& l, const ExpertPlacement& p, int s, std::span<const int> experts,
                  RoutingResult& out, bool with_dispatch);
  void route_counts(Layer& l, const ExpertPlacement& p, int s, std::int64_t tokens,
                    RoutingResult& out, bool with_dispatch);

  ExpertRouterConfig cfg_;
  Rng popularity_rng_, pool_rng_, step_rng_;
  std::vector<Layer> layers_;
  TimeNs popularity_ns_ = 0;  // simulated time the popularity state stands at
  // Scratch, sized once.
  std::vector<double> group_best_, front_key_;
  std::vector<int> group_order_, front_expert_, front_alive_, exact_token_;
  std::vector<double> front_taken_mass_;
  std::vector<std::uint8_t> taken_;  // per expert: already among this token's experts
  std::vector<std::uint32_t> rr_;  // round-robin counter per (source GPU, expert)
  std::vector<std::uint64_t> stamp_gpu_, stamp_node_;
  std::uint64_t stamp_ = 0;
  std::vector<std::int64_t> counts_, copies_gpu_, copies_node_;
};

using ExpertRouterRegistry = Registry<ExpertRouter, const MoeSpec&, Rng>;
// Selected in scenario.policies.expert_router.
const ExpertRouterRegistry& expert_routers();
void register_expert_routers(ExpertRouterRegistry& reg);

}  // namespace fleetsim
