// The weighted normalised-score balancer behind attention-balanced, kv-balanced and least-loaded.
#include "sim/policies/scored_balancer.hpp"

#include <limits>
#include <stdexcept>
#include <utility>

namespace fleetsim {

ScoredBalancer::ScoredBalancer(std::string name, std::vector<ScoreTerm> terms) : name_(std::move(name)) {
  if (terms.empty() || terms.size() > kMaxTerms) throw std::invalid_argument("ScoredBalancer: 1 or 2 terms");
  for (const auto& t : terms) terms_[num_terms_++] = t;
}

double ScoredBalancer::term_value(std::size_t j, const RankLoad& l) const {
  switch (terms_[j].term) {
    case LoadTerm::kRequests:
      return static_cast<double>(l.requests);
    case LoadTerm::kTokens:
      return static_cast<double>(l.tokens);
    case LoadTerm::kAttention:
      return l.attention;
    case LoadTerm::kKvUsage:
      return l.capacity_tokens > 0 ? static_cast<double>(l.tokens) / static_cast<double>(l.capacity_tokens)
                                   : static_cast<double>(l.tokens);
  }
  return 0;
}

void ScoredBalancer::attach(std::span<const RankLoad> loads) {
  loads_ = loads;
  tree_.resize(loads.size());
  cached_.assign(loads.size(), {});
  refresh();
}

ScoredBalancer::TermValues ScoredBalancer::term_values(const RankLoad& l) const {
  TermValues v{};
  for (std::size_t j = 0; j < num_terms_; ++j) v[j] = term_value(j, l);
  return v;
}

double ScoredBalancer::score_of(const TermValues& v) const {
  double s = 0;
  for (std::size_t j = 0; j < num_terms_; ++j) s += terms_[j].weight * v[j] / ref_[j];
  return s;
}

double ScoredBalancer::score(std::size_t i) const { return score_of(cached_[i]); }

// Scores from the values in registers, not re-read from cached_ just after storing them there:
// a wide load of two fresh narrow stores stalls the pipeline on every update.
void ScoredBalancer::write(std::size_t i, const TermValues& v, bool leaf_only) {
  const RankLoad& l = loads_[i];
  cached_[i] = v;
  // A target that is not accepting can never be found (no room); it scores +inf in the tree so
  // that an idle warming or draining target does not hide the best one from the direct descent.
  std::int64_t free_tok = MinScoreTree::kClosed;
  double s = std::numeric_limits<double>::infinity();
  if (l.accepting) {
    free_tok = l.capacity_tokens > 0 ? l.capacity_tokens - l.tokens : MinScoreTree::kUnlimited;
    s = score_of(v);
  }
  if (leaf_only) {
    tree_.set_leaf(i, s, free_tok);
  } else {
    tree_.set(i, s, free_tok);
  }
}

void ScoredBalancer::refresh() {
  const std::size_t n = loads_.size();
  // Summed in a local: through the member, every store to cached_ (which might alias it) would
  // send the running sum to memory and back.
  std::array<double, kMaxTerms> sum{};
  for (std::size_t i = 0; i < n; ++i) {
    const TermValues v = term_values(loads_[i]);
    cached_[i] = v;
    for (std::size_t j = 0; j < num_terms_; ++j) sum[j] += v[j];
  }
  sum_ = sum;
  for (std::size_t j = 0; j < num_terms_; ++j) {
    const double mean = n > 0 ? sum_[j] / static_cast<double>(n) : 0.0;
    // A zero mean (an idle pool) leaves the term in its own units until load appears.
    idle_[j] = terms_[j].normalize && !(mean > 0);
    ref_[j] = terms_[j].normalize && !idle_[j] ? mean : 1.0;
  }
  for (std::size_t i = 0; i < n; ++i) write(i, cached_[i], true);
  if (!batching_) tree_.rebuild();  // while batching, end_updates rebuilds it
  updates_since_refresh_ = 0;
}

void ScoredBalancer::on_update(std::size_t i) {
  bool stale = ++updates_since_refresh_ >= loads_.size();
  const TermValues v = term_values(loads_[i]);
  for (std::size_t j = 0; j < num_terms_; ++j) {
    sum_[j] += v[j] - cached_[i][j];
    if (idle_[j] && sum_[j] > 0) stale = true;
  }
  if (stale) {
    refresh();
  } else {
    // While batching, only the leaf: its ancestors are recomputed once, at end_updates. The tree
    // is a function of its leaves, so the picks after it are those of one climb per update.
    write(i, v, batching_);
  }
}

void ScoredBalancer::end_updates() {
  if (batching_) tree_.rebuild();
  batching_ = false;
}

std::size_t ScoredBalancer::pick(const LbRequest& r) {
  const std::size_t i = tree_.find(kv_need_tokens(r));
  return i == MinScoreTree::kNone ? kNoTarget : i;
}

}  // namespace fleetsim
