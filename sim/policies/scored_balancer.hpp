// A balancer that sends each request to the target with the lowest weighted, normalised load
// score (lowest index on ties), kept in a MinScoreTree so pick and on_update are O(log n).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "sim/policies/load_balancer.hpp"
#include "sim/policies/min_score_tree.hpp"

namespace fleetsim {

// One quantity of a target's load that a score weighs.
enum class LoadTerm {
  kRequests,   // requests queued / running
  kTokens,     // tokens queued (prefill) / KV reserved (decode)
  kAttention,  // core-attention pairs queued (prefill) / KV tokens held (decode)
  kKvUsage,    // tokens / capacity_tokens (raw tokens when the capacity is unlimited)
};

struct ScoreTerm {
  LoadTerm term = LoadTerm::kRequests;
  double weight = 1;
  // Divide by the mean over all targets, so terms with different units weigh as `weight` says.
  bool normalize = false;
};

// score_i = sum_j weight_j * term_j(load_i) / ref_j, ref_j = mean of term_j over all targets when
// normalised (1 otherwise). The means are refreshed after every n updates (n = targets, so the
// O(n) rebuild is amortised O(1)) and as soon as a mean leaves zero; between refreshes each
// target's score is exact for the frozen means. Updates batched by begin_updates/end_updates
// write their leaves and rebuild the tree once, at the end.
class ScoredBalancer final : public LoadBalancer {
 public:
  static constexpr std::size_t kMaxTerms = 2;

  ScoredBalancer(std::string name, std::vector<ScoreTerm> terms);
  std::string name() const override { return name_; }
  void attach(std::span<const RankLoad> loads) override;
  void on_update(std::size_t i) override;
  void begin_updates() override { batching_ = true; }
  void end_updates() override;
  std::size_t pick(const LbRequest& r) override;

  // The score target i holds now (accepting or not): for tests and traces.
  double score(std::size_t i) const;
  double reference(std::size_t term) const { return ref_[term]; }

 private:
  using TermValues = std::array<double, kMaxTerms>;
  double term_value(std::size_t j, const RankLoad& l) const;
  TermValues term_values(const RankLoad& l) const;
  double score_of(const TermValues& v) const;
  void refresh();           // recompute sums and means exactly, rebuild the tree: O(n)
  void write(std::size_t i, const TermValues& v, bool leaf_only);

  std::string name_;
  std::array<ScoreTerm, kMaxTerms> terms_{};
  std::size_t num_terms_ = 0;
  std::span<const RankLoad> loads_;
  MinScoreTree tree_;
  std::vector<TermValues> cached_;  // term values each target was scored with
  std::array<double, kMaxTerms> sum_{}, ref_{};
  std::array<bool, kMaxTerms> idle_{};  // normalised term whose mean was zero at the last refresh
  std::size_t updates_since_refresh_ = 0;
  bool batching_ = false;  // between begin_updates and end_updates: leaves written, tree not
};

}  // namespace fleetsim
