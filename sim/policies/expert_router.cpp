// Group-limited top-k routing with drifting expert popularity, an exact per-token sampler and a
// fast statistically matched sampler (see expert_router.hpp for the model and approximation).
#include "sim/policies/expert_router.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "sim/engine/portable_math.hpp"
#include "sim/policies/sampling.hpp"

namespace fleetsim {

namespace {
// Pool tokens routed from each source GPU to measure the copy -> unique ratios: ~top_k * 2048 /
// GPUs copies per (source, destination) pair, enough for a ratio within a few percent.
constexpr int kRatioSampleTokens = 2048;
// Up to this many token copies per expert a multinomial is cheaper drawn copy by copy (one
// 64-bit draw each) than as 256 conditional binomials (an exp and a log each).
constexpr std::int64_t kAliasCopiesPerExpert = 8;

void check_config(const ExpertRouterConfig& c) {
  auto need = [](bool ok, const char* rule) {
    if (!ok) throw std::invalid_argument(std::string("expert router: requires ") + rule);
  };
  need(c.num_experts > 0 && c.num_groups > 0 && c.num_experts % c.num_groups == 0,
       "num_experts > 0 divisible by num_groups");
  need(c.groups_selected >= 1 && c.groups_selected <= c.num_groups, "1 <= groups_selected <= num_groups");
  need(c.top_k >= 1 && c.top_k <= c.groups_selected * (c.num_experts / c.num_groups),
       "1 <= top_k <= experts in the selected groups");
  need(c.popularity == "lognormal" || c.popularity == "zipf" || c.popularity == "uniform",
       "popularity lognormal, zipf or uniform");
  need(c.sigma >= 0 && c.zipf_exponent >= 0 && c.drift_time_s >= 0 && c.refresh_interval_s > 0,
       "sigma, zipf_exponent, drift_time_s >= 0 and refresh_interval_s > 0");
  need(c.num_layers >= 1 && c.pool_tokens >= 1, "num_layers >= 1 and pool_tokens >= 1");
  need(c.load_ema_alpha > 0 && c.load_ema_alpha <= 1, "0 < load_ema_alpha <= 1");
}
}  // namespace

ExpertRouter::ExpertRouter(ExpertRouterConfig cfg, Rng rng) : cfg_(std::move(cfg)) {
  check_config(cfg_);
  // Independent sub-streams: how many steps were routed never shifts the popularity path.
  popularity_rng_ = Rng(rng.next_u64());
  pool_rng_ = Rng(rng.next_u64());
  step_rng_ = Rng(rng.next_u64());
  const auto E = static_cast<std::size_t>(cfg_.num_experts);
  layers_.resize(static_cast<std::size_t>(cfg_.num_layers));
  for (auto& l : layers_) {
    l.z.resize(E);
    for (auto& z : l.z) z = popularity_rng_.normal();
    l.load_ema.assign(E, 0.0);
    update_popularity(l);
  }
  front_key_.resize(static_cast<std::size_t>(cfg_.groups_selected));
  front_expert_.resize(static_cast<std::size_t>(cfg_.groups_selected));
  front_alive_.resize(static_cast<std::size_t>(cfg_.groups_selected));
  front_taken_mass_.resize(static_cast<std::size_t>(cfg_.groups_selected));
  taken_.assign(E, 0);
  group_best_.resize(static_cast<std::size_t>(cfg_.num_groups));
  group_order_.resize(static_cast<std::size_t>(cfg_.num_groups));
  exact_token_.resize(static_cast<std::size_t>(cfg_.top_k));
}

void ExpertRouter::update_popularity(Layer& l) {
  const std::size_t E = l.z.size();
  l.popularity.resize(E);
  if (cfg_.popularity == "lognormal") {
    for (std::size_t e = 0; e < E; ++e) l.popularity[e] = pmath::exp(cfg_.sigma * l.z[e]);
  } else if (cfg_.popularity == "zipf") {
    std::vector<int> order(E);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return l.z[a] > l.z[b]; });
    for (std::size_t r = 0; r < E; ++r) l.popularity[order[r]] = pmath::pow(static_cast<double>(r + 1), -cfg_.zipf_exponent);
  } else {
    std::fill(l.popularity.begin(), l.popularity.end(), 1.0);
  }
  const double total = std::accumulate(l.popularity.begin(), l.popularity.end(), 0.0);
  for (auto& p : l.popularity) p /= total;
  const int G = cfg_.num_groups, group_size = cfg_.num_experts / G;
  // Each group's running sum (sample_token searches its winner in it); the group's total is
  // where the sum ends.
  l.group_popularity.assign(static_cast<std::size_t>(G), 0.0);
  l.group_positive.assign(static_cast<std::size_t>(G), 0);
  l.group_cumulative.resize(E);
  for (std::size_t e = 0; e < E; ++e) {
    double& total = l.group_popularity[e / static_cast<std::size_t>(group_size)];
    total += l.popularity[e];
    l.group_cumulative[e] = total;
    l.group_positive[e / static_cast<std::size_t>(group_size)] += l.popularity[e] > 0;
  }
  l.pool_stale = true;
}

void ExpertRouter::advance_to(TimeNs now) {
  const TimeNs interval_ns = seconds_to_ns(cfg_.refresh_interval_s);
  if (now - popularity_ns_ < interval_ns) return;
  const TimeNs steps = (now - popularity_ns_) / interval_ns;
  popularity_ns_ += steps * interval_ns;
  if (cfg_.drift_time_s <= 0) return;
  // Exact Ornstein-Uhlenbeck transition over the elapsed intervals: stationary N(0, 1).
  const double a = pmath::exp(-static_cast<double>(steps) * cfg_.refresh_interval_s / cfg_.drift_time_s);
  const double noise = std::sqrt(std::max(0.0, 1.0 - a * a));
  for (auto& l : layers_) {
    for (auto& z : l.z) z = a * z + noise * popularity_rng_.normal();
    update_popularity(l);
  }
}

void ExpertRouter::start_with_history(const ExpertPlacement& placement, int gpus_per_node,
                                      std::span<const std::int64_t> tokens_per_gpu, int microbatches) {
  if (popularity_ns_ != 0 || std::any_of(layers_.begin(), layers_.end(), [](const Layer& l) { return l.ema_started; }))
    throw std::logic_error("ExpertRouter::start_with_history after the router has advanced or routed");
  popularity_ns_ = -seconds_to_ns(cfg_.refresh_interval_s);
  RoutingResult out;
  for (int layer = 0; layer < cfg_.num_layers; ++layer)
    for (int i = 0; i < microbatches; ++i) route(layer, placement, gpus_per_node, tokens_per_gpu, out, false);
}

void ExpertRouter::sample_token(const Layer& l, Rng& rng, std::span<int> experts) {
  const int G = cfg_.num_groups, S = cfg_.groups_selected, K = cfg_.top_k;
  const int group_size = cfg_.num_experts / G;
  constexpr double kNever = std::numeric_limits<double>::infinity();
  // An expert index above every real one: a group with no expert left loses every tie.
  constexpr int kNoExpert = std::numeric_limits<int>::max();
  auto race_key = [&](double rate) { return rate > 0 ? rng.exp1() / rate : kNever; };
  for (int g = 0; g < G; ++g) {
    group_best_[static_cast<std::size_t>(g)] = race_key(l.group_popularity[static_cast<std::size_t>(g)]);
    group_order_[static_cast<std::size_t>(g)] = g;
  }
  auto by_group = [&](int a, int b) {
    return group_best_[a] < group_best_[b] || (group_best_[a] == group_best_[b] && a < b);
  };
  std::partial_sort(group_order_.begin(), group_order_.begin() + S, group_order_.end(), by_group);
  const double* p = l.popularity.data();
  const double* cumulative = l.group_cumulative.data();
  // Each selected group's next key in race order and the expert that holds it. The first is the
  // group's best key, won in proportion to popularity (the first expert whose running sum passes
  // the pick).
  for (int k = 0; k < S; ++k) {
    const int g = group_order_[static_cast<std::size_t>(k)];
    const int first = g * group_size;
    const double total = l.group_popularity[static_cast<std::size_t>(g)];
    int winner = first;  // a group without popularity: its experts tie at +inf, lowest index first
    if (total > 0) {
      const double pick = rng.uniform() * total;
      const double* passed = std::upper_bound(cumulative + first, cumulative + first + group_size, pick);
      winner = passed == cumulative + first + group_size ? first + group_size - 1 : static_cast<int>(passed - cumulative);
    }
    front_key_[static_cast<std::size_t>(k)] = group_best_[static_cast<std::size_t>(g)];
    front_expert_[static_cast<std::size_t>(k)] = winner;
    front_taken_mass_[static_cast<std::size_t>(k)] = 0;
    front_alive_[static_cast<std::size_t>(k)] = l.group_positive[static_cast<std::size_t>(g)];
  }
  // The top_k keys in order: take the lowest (key, expert) of the fronts, then draw that group's
  // next key. By the race's memorylessness, once a group's lowest keys are known the rest exceed
  // the last one by an Exp(1) / (popularity still in the race), won in proportion to popularity.
  for (int out = 0; out < K; ++out) {
    int at = 0;
    for (int k = 1; k < S; ++k) {
      const double a = front_key_[static_cast<std::size_t>(k)], b = front_key_[static_cast<std::size_t>(at)];
      if (a < b || (a == b && front_expert_[static_cast<std::size_t>(k)] < front_expert_[static_cast<std::size_t>(at)])) at = k;
    }
    const int e = front_expert_[static_cast<std::size_t>(at)];
    experts[static_cast<std::size_t>(out)] = e;
    taken_[static_cast<std::size_t>(e)] = 1;
    if (out + 1 == K) break;
    // The popularity still in the group's race: its total less what was taken (summed afresh
    // should rounding leave nothing where experts with popularity remain).
    const std::size_t f = static_cast<std::size_t>(at);
    const int g = group_order_[f];
    const int first = g * group_size, end = first + group_size;
    front_taken_mass_[f] += p[e];
    front_alive_[f] -= p[e] > 0;
    double left = 0;
    if (front_alive_[f] > 0) {
      left = l.group_popularity[static_cast<std::size_t>(g)] - front_taken_mass_[f];
      if (!(left > 0))
        for (int c = first; c < end; ++c) left += taken_[static_cast<std::size_t>(c)] ? 0.0 : p[c];
    }
    double& key = front_key_[f];
    int next = kNoExpert;
    if (left > 0) {
      key += rng.exp1() / left;
      // The first expert still in the race whose running sum of the race's popularity passes the
      // pick: the group's running sum less what was taken before it.
      const double pick = rng.uniform() * left;
      double taken_before = 0;
      for (int c = first; c < end; ++c) {
        if (taken_[static_cast<std::size_t>(c)]) {
          taken_before += p[c];
          continue;
        }
        if (!(p[c] > 0)) continue;
        next = c;  // the last candidate, should rounding leave the pick past the sum
        if (cumulative[c] - taken_before > pick) break;
      }
    } else {
      key = kNever;  // only experts without popularity left (or none): lowest index first
      for (int c = first; c < end && next == kNoExpert; ++c)
        if (!taken_[static_cast<std::size_t>(c)]) next = c;
    }
    front_expert_[static_cast<std::size_t>(at)] = next;
  }
  for (int out = 0; out < K; ++out) taken_[static_cast<std::size_t>(experts[static_cast<std::size_t>(out)])] = 0;
}

void ExpertRouter::sample_token(int layer, std::span<int> experts) {
  sample_token(layers_.at(static_cast<std::size_t>(layer)), step_rng_, experts);
}

void ExpertRouter::refresh_pool(Layer& l) {
  const auto M = static_cast<std::size_t>(cfg_.pool_tokens), k = static_cast<std::size_t>(cfg_.top_k);
  l.pool.resize(M * k);
  l.inclusion.assign(static_cast<std::size_t>(cfg_.num_experts), 0.0);
  for (std::size_t t = 0; t < M; ++t) {
    std::span<int> tok(l.pool.data() + t * k, k);
    sample_token(l, pool_rng_, tok);
    for (int e : tok) l.inclusion[static_cast<std::size_t>(e)] += 1.0;
  }
  l.pick_share.resize(l.inclusion.size());
  for (std::size_t e = 0; e < l.inclusion.size(); ++e) {
    l.inclusion[e] /= static_cast<double>(M);
    l.pick_share[e] = l.inclusion[e] / static_cast<double>(k);
  }
  l.pick_alias.build(l.pick_share);
  l.pool_stale = false;
  l.tables_stale = true;  // the copy -> unique ratios depend on the pool
}

std::span<const double> ExpertRouter::popularity(int layer) { return layers_.at(static_cast<std::size_t>(layer)).popularity; }

std::span<const double> ExpertRouter::inclusion_probability(int layer) {
  Layer& l = layers_.at(static_cast<std::size_t>(layer));
  if (l.pool_stale) refresh_pool(l);
  return l.inclusion;
}

void ExpertRouter::prepare(Layer& l, const ExpertPlacement& p, int gpus_per_node) {
  const int G = p.num_gpus, E = cfg_.num_experts, N = G / gpus_per_node;
  l.placed_phy2log = p.phy2log;
  l.placed_gpus_per_node = gpus_per_node;
  l.cand_begin.assign(static_cast<std::size_t>(G) * E, 0);
  l.cand_count.assign(static_cast<std::size_t>(G) * E, 0);
  l.cand.clear();
  auto replica = [&](int q) {
    const int gpu = p.gpu_of_slot(q);
    return Replica{q, gpu, gpu / gpus_per_node};
  };
  for (int s = 0; s < G; ++s) {
    for (int e = 0; e < E; ++e) {
      const auto& reps = p.log2phy[static_cast<std::size_t>(e)];
      const std::size_t at = static_cast<std::size_t>(s) * E + e;
      l.cand_begin[at] = static_cast<int>(l.cand.size());
      int own = -1, on_node = 0;
      for (int q : reps) {
        if (q < 0) continue;
        const int d = p.gpu_of_slot(q);
        if (d == s && own < 0) own = q;
        on_node += d / gpus_per_node == s / gpus_per_node;
      }
      if (own >= 0) {
        l.cand.push_back(replica(own));
      } else {
        for (int q : reps) {
          if (q < 0) continue;
          const Replica r = replica(q);
          if (on_node == 0 || r.node == s / gpus_per_node) l.cand.push_back(r);
        }
      }
      l.cand_count[at] = static_cast<int>(l.cand.size()) - l.cand_begin[at];
    }
  }
  rr_.assign(static_cast<std::size_t>(G) * E, 0u);
  stamp_gpu_.assign(static_cast<std::size_t>(G), 0);
  stamp_node_.assign(static_cast<std::size_t>(N), 0);
  copies_gpu_.assign(static_cast<std::size_t>(G), 0);
  copies_node_.assign(static_cast<std::size_t>(N), 0);
  counts_.assign(static_cast<std::size_t>(E), 0);
  l.tables_stale = false;
  l.ratios_stale = true;
}

// Copy -> unique ratios per (source, destination), from a pool sample routed from each source:
// the costly part of a new placement's tables (sources x 2048 tokens x top_k), needed only for
// the dispatch pairs. It draws nothing, so when it runs changes no result.
void ExpertRouter::measure_unique_ratios(Layer& l, const ExpertPlacement& p, int gpus_per_node) {
  const int G = p.num_gpus, E = cfg_.num_experts, N = G / gpus_per_node;
  const int R = std::min(cfg_.pool_tokens, kRatioSampleTokens);
  const int k = cfg_.top_k;
  l.unique_ratio_gpu.assign(static_cast<std::size_t>(G) * G, 1.0);
  l.unique_ratio_node.assign(static_cast<std::size_t>(G) * N, 1.0);
  std::vector<std::int64_t> copies_g(static_cast<std::size_t>(G)), uniq_g(static_cast<std::size_t>(G));
  std::vector<std::int64_t> copies_n(static_cast<std::size_t>(N)), uniq_n(static_cast<std::size_t>(N));
  std::vector<int> seen_g(static_cast<std::size_t>(G), -1), seen_n(static_cast<std::size_t>(N), -1);
  std::vector<std::uint32_t> rr(static_cast<std::size_t>(E), 0);
  l.max_gpus_per_token.assign(static_cast<std::size_t>(G), 1);
  l.max_nodes_per_token.assign(static_cast<std::size_t>(G), 1);
  for (int s = 0; s < G; ++s) {
    std::fill(copies_g.begin(), copies_g.end(), 0);
    std::fill(uniq_g.begin(), uniq_g.end(), 0);
    std::fill(copies_n.begin(), copies_n.end(), 0);
    std::fill(uniq_n.begin(), uniq_n.end(), 0);
    std::fill(seen_g.begin(), seen_g.end(), -1);
    std::fill(seen_n.begin(), seen_n.end(), -1);
    std::fill(rr.begin(), rr.end(), 0u);
    for (int t = 0; t < R; ++t) {
      int gpus_reached = 0, nodes_reached = 0;
      for (int j = 0; j < k; ++j) {
        const int e = l.pool[static_cast<std::size_t>(t) * k + j];
        const std::size_t at = static_cast<std::size_t>(s) * E + e;
        const int cc = l.cand_count[at];
        // Round-robin over the candidates (rr[e] stays in [0, cc): cc is fixed for this source).
        int pick = 0;
        if (cc > 1) {
          pick = static_cast<int>(rr[e]);
          rr[e] = pick + 1 == cc ? 0u : static_cast<std::uint32_t>(pick + 1);
        }
        const Replica& c = l.cand[static_cast<std::size_t>(l.cand_begin[at] + pick)];
        const int d = c.gpu, n = c.node;
        ++copies_g[d];
        ++copies_n[n];
        if (seen_g[d] != t) {
          seen_g[d] = t;
          ++uniq_g[d];
          ++gpus_reached;
        }
        if (seen_n[n] != t) {
          seen_n[n] = t;
          ++uniq_n[n];
          ++nodes_reached;
        }
      }
      l.max_gpus_per_token[static_cast<std::size_t>(s)] = std::max(l.max_gpus_per_token[static_cast<std::size_t>(s)], gpus_reached);
      l.max_nodes_per_token[static_cast<std::size_t>(s)] = std::max(l.max_nodes_per_token[static_cast<std::size_t>(s)], nodes_reached);
    }
    for (int d = 0; d < G; ++d) {
      if (copies_g[d] > 0) l.unique_ratio_gpu[static_cast<std::size_t>(s) * G + d] = static_cast<double>(uniq_g[d]) / copies_g[d];
    }
    for (int n = 0; n < N; ++n) {
      if (copies_n[n] > 0) l.unique_ratio_node[static_cast<std::size_t>(s) * N + n] = static_cast<double>(uniq_n[n]) / copies_n[n];
    }
  }
  l.ratios_stale = false;
}

void ExpertRouter::send_token(Layer& l, const ExpertPlacement& p, int s,
                              std::span<const int> experts, RoutingResult& out, bool with_dispatch) {
  const int G = p.num_gpus, E = cfg_.num_experts, N = out.num_nodes;
  ++stamp_;
  for (int e : experts) {
    const std::size_t at = static_cast<std::size_t>(s) * E + e;
    const int cc = l.cand_count[at];
    const Replica& c = l.cand[static_cast<std::size_t>(l.cand_begin[at] + (cc == 1 ? 0 : static_cast<int>(rr_[at]++ % cc)))];
    ++out.slot_tokens[static_cast<std::size_t>(c.slot)];
    if (!with_dispatch) continue;
    const int d = c.gpu, n = c.node;
    if (stamp_gpu_[d] != stamp_) {
      stamp_gpu_[d] = stamp_;
      ++out.dispatch_gpu[static_cast<std::size_t>(s) * G + d];
    }
    if (stamp_node_[n] != stamp_) {
      stamp_node_[n] = stamp_;
      ++out.dispatch_node[static_cast<std::size_t>(s) * N + n];
    }
  }
}

void ExpertRouter::route_counts(Layer& l, const ExpertPlacement& p, int s, std::int64_t tokens,
                                RoutingResult& out, bool with_dispatch) {
  const int G = p.num_gpus, E = cfg_.num_experts, N = out.num_nodes;
  const std::int64_t copies = tokens * cfg_.top_k;
  if (copies <= kAliasCopiesPerExpert * E) {
    std::fill(counts_.begin(), counts_.end(), 0);
    for (std::int64_t c = 0; c < copies; ++c) ++counts_[l.pick_alias.sample(step_rng_)];
  } else {
    multinomial(step_rng_, copies, l.pick_share, counts_);
  }
  std::fill(copies_gpu_.begin(), copies_gpu_.end(), 0);
  std::fill(copies_node_.begin(), copies_node_.end(), 0);
  for (int e = 0; e < E; ++e) {
    const std::int64_t c = counts_[static_cast<std::size_t>(e)];
    if (c == 0) continue;
    const std::size_t at = static_cast<std::size_t>(s) * E + e;
    const int cc = l.cand_count[at], begin = l.cand_begin[at];
    // Even split with the remainder rotating, as round-robin over the candidates would give.
    const std::int64_t base = c / cc, rem = c % cc;
    const int start = static_cast<int>(rr_[at] % static_cast<std::uint32_t>(cc));
    for (int j = 0; j < cc; ++j) {
      const std::int64_t share = base + (((j - start + cc) % cc) < rem ? 1 : 0);
      if (share == 0) continue;
      const Replica& r = l.cand[static_cast<std::size_t>(begin + j)];
      out.slot_tokens[static_cast<std::size_t>(r.slot)] += share;
      copies_gpu_[static_cast<std::size_t>(r.gpu)] += share;
      copies_node_[static_cast<std::size_t>(r.node)] += share;
    }
    rr_[at] += static_cast<std::uint32_t>(rem);
  }
  if (!with_dispatch) return;
  auto unique = [tokens](std::int64_t copies, double ratio) -> std::int64_t {
    if (copies == 0) return 0;
    return std::clamp<std::int64_t>(pmath::llround(static_cast<double>(copies) * ratio), 1, std::min(copies, tokens));
  };
  // Rounded per-destination counts can overshoot what tokens * (most destinations a token
  // reaches) allows; trim the largest entries back to that cap (rarely more than a few units).
  auto fill_row = [&](std::int64_t* row, const std::int64_t* copies, const double* ratio, int width, int cap_per_token) {
    std::int64_t total = 0;
    for (int d = 0; d < width; ++d) {
      row[d] = unique(copies[d], ratio[d]);
      total += row[d];
    }
    for (std::int64_t excess = total - tokens * cap_per_token; excess > 0; --excess) {
      int top = 0;
      for (int d = 1; d < width; ++d) top = row[d] > row[top] ? d : top;
      if (row[top] <= 1) break;
      --row[top];
    }
  };
  fill_row(out.dispatch_gpu.data() + static_cast<std::size_t>(s) * G, copies_gpu_.data(),
           l.unique_ratio_gpu.data() + static_cast<std::size_t>(s) * G, G, l.max_gpus_per_token[static_cast<std::size_t>(s)]);
  fill_row(out.dispatch_node.data() + static_cast<std::size_t>(s) * N, copies_node_.data(),
           l.unique_ratio_node.data() + static_cast<std::size_t>(s) * N, N, l.max_nodes_per_token[static_cast<std::size_t>(s)]);
}

void ExpertRouter::route(int layer, const ExpertPlacement& p, int gpus_per_node,
                         std::span<const std::int64_t> tokens_per_gpu, RoutingResult& out, bool with_dispatch) {
  if (layer < 0 || layer >= cfg_.num_layers) throw std::invalid_argument("expert router: layer out of range");
  if (gpus_per_node <= 0 || p.num_gpus % gpus_per_node != 0 ||
      tokens_per_gpu.size() != static_cast<std::size_t>(p.num_gpus) ||
      p.log2phy.size() != static_cast<std::size_t>(cfg_.num_experts)) {
    throw std::invalid_argument("expert router: placement, node size and token counts do not match");
  }
  Layer& l = layers_[static_cast<std::size_t>(layer)];
  if (l.pool_stale) refresh_pool(l);
  if (l.tables_stale || l.placed_gpus_per_node != gpus_per_node || l.placed_phy2log != p.phy2log) {
    prepare(l, p, gpus_per_node);
  }
  if (with_dispatch && l.ratios_stale) measure_unique_ratios(l, p, gpus_per_node);
  const int G = p.num_gpus, N = G / gpus_per_node, k = cfg_.top_k;
  out.num_gpus = G;
  out.num_nodes = N;
  out.slot_tokens.assign(p.phy2log.size(), 0);
  out.gpu_tokens.assign(static_cast<std::size_t>(G), 0);
  out.expert_tokens.assign(static_cast<std::size_t>(cfg_.num_experts), 0);
  out.dispatch_gpu.assign(static_cast<std::size_t>(G) * G, 0);
  out.dispatch_node.assign(static_cast<std::size_t>(G) * N, 0);
  // Below this many token copies a source is cheaper to route token by token from the pool.
  const std::int64_t bootstrap_copies = static_cast<std::int64_t>(p.phy2log.size()) + G;
  const auto M = static_cast<std::uint64_t>(cfg_.pool_tokens);
  for (int s = 0; s < G; ++s) {
    const std::int64_t T = tokens_per_gpu[static_cast<std::size_t>(s)];
    if (T <= 0) continue;
    if (cfg_.exact) {
      for (std::int64_t t = 0; t < T; ++t) {
        sample_token(l, step_rng_, exact_token_);
        send_token(l, p, s, exact_token_, out, with_dispatch);
      }
    } else if (T * k <= bootstrap_copies) {
      for (std::int64_t t = 0; t < T; ++t) {
        const std::size_t i = step_rng_.below(M);
        send_token(l, p, s, std::span<const int>(l.pool.data() + i * k, static_cast<std::size_t>(k)), out, with_dispatch);
      }
    } else {
      route_counts(l, p, s, T, out, with_dispatch);
    }
  }
  for (std::size_t q = 0; q < out.slot_tokens.size(); ++q) {
    out.gpu_tokens[static_cast<std::size_t>(p.gpu_of_slot(static_cast<int>(q)))] += out.slot_tokens[q];
    out.expert_tokens[static_cast<std::size_t>(p.phy2log[q])] += out.slot_tokens[q];
  }
  // The average tracks each expert's share of the microbatch's token copies, so every
  // microbatch weighs the same whatever its size (with raw counts, periods of large batches
  // would dominate the estimate and the placement would lean on whichever ran larger).
  const double a = cfg_.load_ema_alpha;
  const double copies = static_cast<double>(
      std::accumulate(out.expert_tokens.begin(), out.expert_tokens.end(), std::int64_t{0}));
  if (copies <= 0) return;
  for (std::size_t e = 0; e < l.load_ema.size(); ++e) {
    const double x = static_cast<double>(out.expert_tokens[e]) / copies;
    l.load_ema[e] = l.ema_started ? (1.0 - a) * l.load_ema[e] + a * x : x;
  }
  l.ema_started = true;
}

void register_expert_routers(ExpertRouterRegistry& reg) {
  reg.add({"group-limited",
           "DeepSeek-V3 group-limited top-k routing over drifting skewed expert popularity; fast "
           "statistically matched sampler by default, exact per-token sampler on request",
           {{"popularity", "string", "", "lognormal", "expert popularity law: lognormal, zipf or uniform"},
            {"sigma", "number", "", 1.0, "lognormal: sd of log popularity"},
            {"zipf_exponent", "number", "", 1.0, "zipf: popularity of the rank-r expert ~ r^-exponent"},
            {"drift_time_s", "number", "s", 3600.0, "correlation time of popularity drift (0 = frozen)"},
            {"refresh_interval_s", "positive", "s", 60.0, "simulated time between popularity updates"},
            {"num_layers", "integer", "", 1, "MoE layers modelled, each with its own popularity"},
            {"pool_tokens", "integer", "tok", 16384, "tokens sampled exactly per refresh for the fast sampler"},
            {"load_ema_alpha", "fraction", "", 0.05, "weight of the newest microbatch in the expert-load moving average"},
            {"exact", "boolean", "", false, "sample every token individually (slow)"}},
           [](const Params& p, const MoeSpec& m, Rng rng) -> std::unique_ptr<ExpertRouter> {
             ExpertRouterConfig c;
             c.num_experts = m.num_routed_experts;
             c.num_groups = m.num_expert_groups;
             c.groups_selected = m.num_groups_selected;
             c.top_k = m.top_k;
             c.popularity = p.string("popularity");
             c.sigma = p.number("sigma");
             c.zipf_exponent = p.number("zipf_exponent");
             c.drift_time_s = p.number("drift_time_s");
             c.refresh_interval_s = p.number("refresh_interval_s");
             c.num_layers = static_cast<int>(p.integer("num_layers"));
             c.pool_tokens = static_cast<int>(p.integer("pool_tokens"));
             c.load_ema_alpha = p.number("load_ema_alpha");
             c.exact = p.boolean("exact");
             try {
               return std::make_unique<ExpertRouter>(c, rng);
             } catch (const std::invalid_argument& e) {
               throw ConfigError(p.file(), p.path(), e.what());
             }
           }});
}

}  // namespace fleetsim
