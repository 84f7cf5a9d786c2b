// The on-disk KV prefix cache for trace replay: an LRU over 512-token block ids (Mooncake
// hash_ids). A request hits the longest run of leading blocks already stored.
#pragma once

#include <cstdint>
#include <list>
#include <unordered_map>
#include <vector>

namespace fleetsim {

class PrefixCache {
 public:
  PrefixCache(std::int64_t capacity_blocks, std::int64_t block_tok)
      : capacity_blocks_(capacity_blocks), block_tok_(block_tok) {}

  // Tokens of `input_tok` served from the cache, then stores every block of the request as most
  // recently used (evicting the least recently used). Lookups only: no iteration over the map.
  std::int64_t lookup_and_store(const std::vector<std::uint64_t>& blocks, std::int64_t input_tok) {
    std::int64_t hit_blocks = 0;
    bool run = true;
    for (std::uint64_t b : blocks) {
      auto it = index_.find(b);
      if (it != index_.end()) {
        if (run) ++hit_blocks;
        lru_.splice(lru_.begin(), lru_, it->second);
      } else {
        run = false;
        if (capacity_blocks_ == 0) continue;
        if (static_cast<std::int64_t>(lru_.size()) >= capacity_blocks_) {
          index_.erase(lru_.back());
          lru_.pop_back();
        }
        lru_.push_front(b);
        index_[b] = lru_.begin();
      }
    }
    // The last token is always computed (its logits give the first output token).
    const std::int64_t hit = hit_blocks * block_tok_;
    return hit < input_tok ? hit : input_tok - 1;
  }
  std::size_t stored_blocks() const { return lru_.size(); }

 private:
  std::int64_t capacity_blocks_;
  std::int64_t block_tok_;
  std::list<std::uint64_t> lru_;
  std::unordered_map<std::uint64_t, std::list<std::uint64_t>::iterator> index_;
};

}  // namespace fleetsim
