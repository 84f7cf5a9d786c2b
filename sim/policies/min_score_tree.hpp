// Segment tree over targets keyed by (score, index) with each subtree's largest free KV room:
// finds the lowest-scored target that has room for a request, lowest index on ties.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace fleetsim {

class MinScoreTree {
 public:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  static constexpr std::int64_t kUnlimited = std::numeric_limits<std::int64_t>::max();
  // Free room of a target that must never be picked (not accepting); below any request's need.
  static constexpr std::int64_t kClosed = -1;

  void resize(std::size_t n) {
    n_ = n;
    leaves_ = 1;
    while (leaves_ < n) leaves_ *= 2;
    score_.assign(2 * leaves_, kInf);
    free_.assign(2 * leaves_, kClosed);
  }
  std::size_t size() const { return n_; }
  double score(std::size_t i) const { return score_[leaves_ + i]; }

  // O(1) leaf write; call rebuild() after a batch of these.
  void set_leaf(std::size_t i, double score, std::int64_t free_tok) {
    score_[leaves_ + i] = score;
    free_[leaves_ + i] = free_tok;
  }
  void rebuild() {
    for (std::size_t v = leaves_ - 1; v >= 1; --v) pull(v);
  }
  // O(log n).
  void set(std::size_t i, double score, std::int64_t free_tok) {
    set_leaf(i, score, free_tok);
    for (std::size_t v = (leaves_ + i) / 2; v >= 1; v /= 2) pull(v);
  }

  // The lowest (score, index) among targets with free room >= need_tok (need_tok >= 0).
  // O(log n) when the best-scored targets have room; subtrees without room are pruned whole.
  std::size_t find(std::int64_t need_tok) const {
    best_ = kNone;
    best_score_ = kInf;
    if (n_ > 0) search(1, 0, leaves_, need_tok);
    return best_;
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  void pull(std::size_t v) {
    score_[v] = score_[2 * v + 1] < score_[2 * v] ? score_[2 * v + 1] : score_[2 * v];
    free_[v] = free_[2 * v] > free_[2 * v + 1] ? free_[2 * v] : free_[2 * v + 1];
  }
  // Best-first descent; a subtree is skipped when it cannot beat the best found so far.
  void search(std::size_t v, std::size_t lo, std::size_t len, std::int64_t need) const {
    if (free_[v] < need) return;
    if (best_ != kNone && (score_[v] > best_score_ || (score_[v] == best_score_ && lo > best_))) return;
    if (len == 1) {
      best_ = lo;
      best_score_ = score_[v];
      return;
    }
    const std::size_t half = len / 2;
    if (score_[2 * v + 1] < score_[2 * v]) {
      search(2 * v + 1, lo + half, half, need);
      search(2 * v, lo, half, need);
    } else {
      search(2 * v, lo, half, need);
      search(2 * v + 1, lo + half, half, need);
    }
  }

  std::size_t n_ = 0, leaves_ = 1;
  std::vector<double> score_;
  std::vector<std::int64_t> free_;
  mutable std::size_t best_ = kNone;
  mutable double best_score_ = kInf;
};

}  // namespace fleetsim
