// Segment tree over targets keyed by (score, index) with each subtree's largest free KV room:
// finds the lowest-scored target that has room for a request, lowest index on ties.
#pragma once

#include <array>
#include <bit>
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
    depth_ = 0;
    while (leaves_ < n) leaves_ *= 2, ++depth_;
    node_.assign(2 * leaves_, Node{});
  }
  std::size_t size() const { return n_; }

  // O(1) leaf write; call rebuild() after a batch of these.
  void set_leaf(std::size_t i, double score, std::int64_t free_tok) { node_[leaves_ + i] = {score, free_tok}; }
  void rebuild() {
    for (std::size_t v = leaves_ - 1; v >= 1; --v) pull(v);
  }
  // O(log n); stops at the first ancestor the change leaves as it was (then so are all above
  // it), which for a leaf that is not its subtree's best is after a level or two.
  void set(std::size_t i, double score, std::int64_t free_tok) {
    set_leaf(i, score, free_tok);
    for (std::size_t v = (leaves_ + i) / 2; v >= 1; v /= 2) {
      if (!pull_changed(v)) break;
    }
  }

  // The lowest (score, index) among targets with free room >= need_tok (need_tok >= 0).
  // Best-first descent, O(log n) when the best-scored targets have room: a subtree without room,
  // or whose lowest score cannot beat the best found so far, is skipped whole.
  std::size_t find(std::int64_t need_tok) const {
    if (n_ == 0) return kNone;
    // Usually the lowest-scored target of all has room: following the lower child (the left one
    // on ties) leads to it, and then it is the answer.
    std::size_t leaf = 1;
    while (leaf < leaves_) leaf = node_[2 * leaf + 1].score < node_[2 * leaf].score ? 2 * leaf + 1 : 2 * leaf;
    if (node_[leaf].free >= need_tok) return leaf - leaves_;
    std::size_t best = kNone;
    double best_score = kInf;
    // Nodes still to visit, the most promising on top; at most one sibling is left per level.
    std::array<std::size_t, 2 * kMaxDepth + 2> stack;
    std::size_t top = 0;
    stack[top++] = 1;
    while (top > 0) {
      const std::size_t v = stack[--top];
      const Node& x = node_[v];
      if (x.free < need_tok) continue;
      const std::size_t level = static_cast<std::size_t>(std::bit_width(v)) - 1;
      const std::size_t lo = (v - (std::size_t{1} << level)) << (depth_ - level);  // first leaf below v
      if (best != kNone && (x.score > best_score || (x.score == best_score && lo > best))) continue;
      if (v >= leaves_) {
        best = lo;
        best_score = x.score;
        continue;
      }
      // Visit the lower-scored child first (the left one on ties: lower indices).
      const bool right_first = node_[2 * v + 1].score < node_[2 * v].score;
      stack[top++] = right_first ? 2 * v : 2 * v + 1;
      stack[top++] = right_first ? 2 * v + 1 : 2 * v;
    }
    return best;
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  static constexpr std::size_t kMaxDepth = 8 * sizeof(std::size_t);

  // A subtree's lowest score and largest free room, side by side: a pull reads both children
  // in one cache line.
  struct Node {
    double score = kInf;
    std::int64_t free = kClosed;
  };

  static Node merged(const Node& l, const Node& r) {
    return {r.score < l.score ? r.score : l.score, l.free > r.free ? l.free : r.free};
  }
  void pull(std::size_t v) { node_[v] = merged(node_[2 * v], node_[2 * v + 1]); }
  // Pulls v; false when v was already what its children make it. Scores compare by bits so that
  // the comparison is exact for every value, infinities included.
  bool pull_changed(std::size_t v) {
    const Node m = merged(node_[2 * v], node_[2 * v + 1]);
    Node& x = node_[v];
    if (std::bit_cast<std::uint64_t>(m.score) == std::bit_cast<std::uint64_t>(x.score) && m.free == x.free) return false;
    x = m;
    return true;
  }

  std::size_t n_ = 0, leaves_ = 1, depth_ = 0;
  std::vector<Node> node_;
};

}  // namespace fleetsim
