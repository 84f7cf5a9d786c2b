// Four-way tree over targets keyed by (score, index) with each subtree's largest free KV room and
// the child holding its lowest score: finds the lowest-scored target that has room for a request,
// lowest index on ties.
#pragma once

#include <algorithm>
#include <array>
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
    while (leaves_ < n) leaves_ *= kWays;
    first_leaf_ = (leaves_ - 1) / (kWays - 1);  // internal nodes: 1 + 4 + ... + leaves_ / 4
    node_.assign(kPad + first_leaf_ + leaves_, Node{});
    lowest_.assign(first_leaf_, 0);  // every score +inf: the first child
  }
  std::size_t size() const { return n_; }

  // O(1) leaf write; call rebuild() after a batch of these.
  void set_leaf(std::size_t i, double score, std::int64_t free_tok) { at(first_leaf_ + i) = {score, free_tok}; }
  void rebuild() {
    for (std::size_t v = first_leaf_; v-- > 0;) update(v);
  }
  // O(log n): every ancestor is recomputed. Stopping at the first one the change leaves as it
  // was would save levels, but its test is a branch mispredicted on many writes, which costs
  // more than the levels (docs/speed-history.md has the measurement).
  void set(std::size_t i, double score, std::int64_t free_tok) {
    std::size_t v = first_leaf_ + i;
    at(v) = {score, free_tok};
    while (v > 0) {
      v = (v - 1) / kWays;
      update(v);
    }
  }

  // The lowest (score, index) among targets with free room >= need_tok (need_tok >= 0).
  // Best-first descent, O(log n) when the best-scored targets have room: a subtree without room,
  // or whose lowest score cannot beat the best found so far, is skipped whole.
  std::size_t find(std::int64_t need_tok) const {
    if (n_ == 0) return kNone;
    // Usually the lowest-scored target of all has room: following the lowest child (the first
    // one on ties: lower indices) leads to it, and then it is the answer. Each node says which
    // child that is, so a level of the descent is one load.
    std::size_t v = 0;
    while (v < first_leaf_) v = kWays * v + 1 + lowest_[v];
    if (at(v).free >= need_tok) return v - first_leaf_;
    std::size_t best = kNone;
    double best_score = kInf;
    // Nodes still to visit, the most promising on top; at most three siblings are left a level.
    std::array<std::size_t, (kWays - 1) * kMaxDepth + 1> stack;
    std::size_t top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const std::size_t u = stack[--top];
      const Node& x = at(u);
      if (x.free < need_tok) continue;
      const std::size_t lo = first_leaf_below(u);
      if (best != kNone && (x.score > best_score || (x.score == best_score && lo > best))) continue;
      if (u >= first_leaf_) {
        best = lo;
        best_score = x.score;
        continue;
      }
      // Children in visiting order, (score, index) ascending: push them in reverse.
      std::array<std::size_t, kWays> order;
      for (std::size_t c = 0; c < kWays; ++c) order[c] = kWays * u + 1 + c;
      for (std::size_t a = 1; a < kWays; ++a)  // insertion sort of four: stable, so ties keep index order
        for (std::size_t b = a; b > 0 && at(order[b]).score < at(order[b - 1]).score; --b) std::swap(order[b], order[b - 1]);
      for (std::size_t c = kWays; c-- > 0;) stack[top++] = order[c];
    }
    return best;
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  static constexpr std::size_t kWays = 4;
  static constexpr std::size_t kMaxDepth = 4 * sizeof(std::size_t);  // 4^32 leaves
  // Node v's children are 4v+1 .. 4v+4. Stored 3 slots on, they start at a multiple of 4: the four
  // siblings a climb or a descent reads are 64 contiguous bytes (a cache line, or two when the
  // allocation is only 16-byte aligned). Four ways halve a binary tree's depth, so a climb waits
  // on half as many dependent levels (docs/speed-history.md has the measurement).
  static constexpr std::size_t kPad = kWays - 1;

  // A subtree's lowest score and largest free room, side by side.
  struct Node {
    double score = kInf;
    std::int64_t free = kClosed;
  };

  Node& at(std::size_t v) { return node_[kPad + v]; }
  const Node& at(std::size_t v) const { return node_[kPad + v]; }
  // Node v from its children: their lowest score and largest room, and which child (0 to 3) is
  // the first holding that score. Pairs first, then their results: two dependent steps instead
  // of three on a climb's critical path. The child is found by a tournament in flag arithmetic,
  // not branches (which child wins is a coin flip to the branch predictor); a strict `<` keeps
  // the lower index on ties, and which of two equal scores the node keeps cannot matter.
  void update(std::size_t v) {
    static_assert(kWays == 4);
    const Node* c = &at(kWays * v + 1);
    const double s01 = std::min(c[0].score, c[1].score), s23 = std::min(c[2].score, c[3].score);
    const std::size_t b01 = c[1].score < c[0].score, b23 = 2 + (c[3].score < c[2].score);
    const std::size_t upper = s23 < s01;
    at(v) = {std::min(s01, s23), std::max(std::max(c[0].free, c[1].free), std::max(c[2].free, c[3].free))};
    lowest_[v] = static_cast<std::uint32_t>(b01 + upper * (b23 - b01));  // a `?:` compiles to a branch
  }
  // The first leaf (target index) below node v.
  std::size_t first_leaf_below(std::size_t v) const {
    while (v < first_leaf_) v = kWays * v + 1;
    return v - first_leaf_;
  }

  std::size_t n_ = 0, leaves_ = 1, first_leaf_ = 0;
  std::vector<Node> node_;
  // Per inner node: its first child with the lowest score. Not a byte: a store through a char
  // type may alias anything, and each would make a climb reload the tree's pointers.
  std::vector<std::uint32_t> lowest_;
};

}  // namespace fleetsim
