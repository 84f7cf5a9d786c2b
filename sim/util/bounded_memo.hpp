// A memo for pure functions keyed by a fixed-size array of integers, with bounded memory: when
// it grows past its limit it is emptied (deterministically: the same queries give the same
// drops), and since the function is pure, what is cached never changes a result.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/util/huge_page_allocator.hpp"

namespace fleetsim {

// Open addressing with linear probing over a power-of-two table of (key, value index), values
// kept densely apart: a hit is one hash and, usually, one cache line of keys, where a node-based
// map chases a pointer per lookup (the simulator asks millions of times per simulated hour).
template <std::size_t N, typename Value>
class BoundedMemo {
 public:
  using Key = std::array<std::int64_t, N>;

  // The cached value for `key`, or `compute()` stored under it. The reference is valid until the
  // next call.
  template <typename Compute>
  const Value& get(const Key& key, Compute&& compute) {
    if (slots_.empty()) slots_.resize(kInitialSlots);
    std::size_t i = find(key);
    if (slots_[i].value != kEmpty) return values_[slots_[i].value];
    Value v = compute();  // computed before a rehash or clear moves the slot
    // A clear or a rehash moves the slot; otherwise `i` still is the empty one found above.
    if (values_.size() >= kMaxEntries) {
      clear();
      i = find(key);
    } else if (2 * (values_.size() + 1) > slots_.size()) {
      grow();
      i = find(key);
    }
    slots_[i] = {key, static_cast<std::uint32_t>(values_.size())};
    values_.push_back(std::move(v));
    return values_.back();
  }
  // Empties the memo but keeps its table: refilled, it would grow to the same size again through
  // fresh allocations whose first touches fault page by page (the step timers' memos are emptied
  // at every EPLB period; kept, the peak hour's window took 26k page faults instead of 36k).
  void clear() {
    for (Slot& s : slots_) s.value = kEmpty;
    values_.clear();
  }
  std::size_t size() const { return values_.size(); }

 private:
  static constexpr std::size_t kMaxEntries = std::size_t{1} << 16;
  static constexpr std::size_t kInitialSlots = 256;
  static constexpr std::uint32_t kEmpty = static_cast<std::uint32_t>(-1);
  struct Slot {
    Key key{};
    std::uint32_t value = kEmpty;
  };

  static std::size_t hash(const Key& k) {
    std::uint64_t h = 0;
    for (auto v : k) h = (h ^ static_cast<std::uint64_t>(v)) * 0x9E3779B97F4A7C15ULL;
    // Fold the high bits down: the table indexes by the low ones.
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
  // Element by element, inline: std::array's == compiles to a call to memcmp on every probe.
  static bool same(const Key& a, const Key& b) {
    bool eq = true;
    for (std::size_t j = 0; j < N; ++j) eq &= a[j] == b[j];
    return eq;
  }
  // The slot holding `key`, or the empty one where it would go.
  std::size_t find(const Key& key) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i].value == kEmpty || same(slots_[i].key, key)) return i;
    }
  }
  void grow() {
    std::vector<Slot, HugePageAllocator<Slot>> old(2 * slots_.size());
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.value != kEmpty) slots_[find(s.key)] = s;
    }
  }

  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  std::vector<Value, HugePageAllocator<Value>> values_;
};

}  // namespace fleetsim
