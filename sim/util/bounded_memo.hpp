// A memo for pure functions keyed by a fixed-size array of integers, with bounded memory: when
// it grows past its limit it is emptied (deterministically: the same queries give the same
// drops), and since the function is pure, what is cached never changes a result.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace fleetsim {

template <std::size_t N, typename Value>
class BoundedMemo {
 public:
  using Key = std::array<std::int64_t, N>;

  // The cached value for `key`, or `compute()` stored under it.
  template <typename Compute>
  const Value& get(const Key& key, Compute&& compute) {
    auto it = map_.find(key);
    if (it != map_.end()) return it->second;
    if (map_.size() > kMaxEntries) map_.clear();
    return map_.emplace(key, compute()).first->second;
  }
  void clear() { map_.clear(); }

 private:
  static constexpr std::size_t kMaxEntries = std::size_t{1} << 16;
  struct Hash {
    std::size_t operator()(const Key& k) const {
      std::size_t h = 0;
      for (auto v : k) h = h * 0x9E3779B97F4A7C15ULL + static_cast<std::size_t>(v);
      return h;
    }
  };
  std::unordered_map<Key, Value, Hash> map_;
};

}  // namespace fleetsim
