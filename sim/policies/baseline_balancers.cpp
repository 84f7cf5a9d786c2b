// Baseline balancers, registered for prefill and decode alike: round-robin, random, least-loaded.
#include <memory>

#include "sim/policies/load_balancer.hpp"
#include "sim/policies/scored_balancer.hpp"

namespace fleetsim {

namespace {

// Cycles through the targets, skipping those that cannot take the request: O(1) while most can.
class RoundRobinBalancer final : public LoadBalancer {
 public:
  std::string name() const override { return "round-robin"; }
  void attach(std::span<const RankLoad> loads) override {
    loads_ = loads;
    next_ = 0;
  }
  void on_update(std::size_t) override {}
  std::size_t pick(const LbRequest& r) override {
    const std::size_t n = loads_.size();
    const std::int64_t need = kv_need_tokens(r);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = next_;
      next_ = next_ + 1 == n ? 0 : next_ + 1;
      if (can_take(loads_[i], need)) return i;
    }
    return kNoTarget;
  }

 private:
  std::span<const RankLoad> loads_;
  std::size_t next_ = 0;
};

// Uniform over the targets that can take the request: a few rejection draws (O(1) while most
// can), then an exact uniform choice by scanning, so the result is uniform either way.
class RandomBalancer final : public LoadBalancer {
 public:
  explicit RandomBalancer(Rng rng) : rng_(rng) {}
  std::string name() const override { return "random"; }
  void attach(std::span<const RankLoad> loads) override { loads_ = loads; }
  void on_update(std::size_t) override {}
  std::size_t pick(const LbRequest& r) override {
    const std::size_t n = loads_.size();
    const std::int64_t need = kv_need_tokens(r);
    for (int k = 0; k < kRejectionDraws && n > 0; ++k) {
      const auto i = static_cast<std::size_t>(rng_.below(n));
      if (can_take(loads_[i], need)) return i;
    }
    std::size_t eligible = 0;
    for (const auto& l : loads_) eligible += can_take(l, need);
    if (eligible == 0) return kNoTarget;
    std::size_t nth = static_cast<std::size_t>(rng_.below(eligible));
    for (std::size_t i = 0; i < n; ++i) {
      if (can_take(loads_[i], need) && nth-- == 0) return i;
    }
    return kNoTarget;
  }

 private:
  // Enough that a pool with half its targets closed falls back to the scan once in 256 picks.
  static constexpr int kRejectionDraws = 8;
  Rng rng_;
  std::span<const RankLoad> loads_;
};

}  // namespace

void register_baseline_balancers(LoadBalancerRegistry& reg) {
  reg.add({"round-robin", "cycle through the targets that can take the request", {},
           [](const Params&, Rng) -> std::unique_ptr<LoadBalancer> {
             return std::make_unique<RoundRobinBalancer>();
           }});
  reg.add({"random", "uniformly random among the targets that can take the request", {},
           [](const Params&, Rng rng) -> std::unique_ptr<LoadBalancer> {
             return std::make_unique<RandomBalancer>(rng);
           }});
  reg.add({"least-loaded", "fewest requests among the targets that can take the request, lowest index on ties",
           {},
           [](const Params&, Rng) -> std::unique_ptr<LoadBalancer> {
             return std::make_unique<ScoredBalancer>(
                 "least-loaded", std::vector<ScoreTerm>{{LoadTerm::kRequests, 1.0, false}});
           }});
}

}  // namespace fleetsim
