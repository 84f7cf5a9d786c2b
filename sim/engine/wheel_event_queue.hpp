// Fast pending-event set: a hierarchical timing wheel (radix 256 over time windows) feeding a
// small exact heap, so hold-like workloads cost O(1) amortised while the pop order stays exactly
// (time, phase, insertion sequence), identical to HeapEventQueue.
#pragma once

#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/engine/dary_heap.hpp"
#include "sim/engine/event.hpp"

namespace fleetsim {

// Layout and invariants:
//  * Time is cut into windows of 2^window_shift ns. `bottom_` is a 4-ary heap holding every
//    event whose window is <= base_window_; it alone decides the order, so ties are exact.
//  * Every other event sits in the wheel: level L, slot s holds the events whose window first
//    differs from base_window_ in base-256 digit L, and has digit value s there. So the lowest
//    occupied slot of the lowest occupied level holds the earliest spilled events.
//  * A non-empty queue always has a non-empty bottom (so top() is a plain const read): when the
//    bottom runs dry, base_window_ jumps to the earliest occupied slot and that slot is cascaded
//    one or more levels down. An event moves at most once per level: ~3 times in the 1 ms hold.
//  * Slots are singly linked lists of fixed-size chunks from one pool with a free list, so memory
//    tracks the live events and steady state allocates nothing.
// Correctness never depends on the push pattern (an event earlier than the base just goes to the
// heap); only speed does. The base only moves forward to a window that holds a pending event.
class WheelEventQueue {
 public:
  // 1 ns windows: the bottom heap then only holds same-instant events, and the cascades act as a
  // radix sort. Measured best on the 10^6-pending hold (wider windows make the heap do the work);
  // any value is correct.
  static constexpr unsigned kDefaultWindowShift = 0;

  explicit WheelEventQueue(unsigned window_shift = kDefaultWindowShift)
      : window_shift_(window_shift), base_window_(window_of(0)) {
    assert(window_shift < 64);
  }

  void reserve(std::size_t n) {
    // Plus room for a part-filled tail chunk in a quarter of the slots.
    const std::size_t chunks = n / kChunkEvents + kLevels * kSlotsPerLevel / 4;
    pool_.reserve(chunks * kChunkEvents);
    next_chunk_.reserve(chunks);
    bottom_.reserve(n < kBottomReserve ? n : kBottomReserve);
  }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::uint64_t scheduled_count() const { return next_seq_; }

  // Schedules an event; the sequence number is stamped here, so insertion order breaks ties.
  void push(TimeNs time_ns, EventPhase phase, std::uint32_t kind, std::uint32_t target,
            std::uint64_t payload = 0) {
    assert(time_ns >= last_pop_ns_ && "event scheduled before the current time");
    const Event e{time_ns, (static_cast<std::uint64_t>(phase) << 56) | (next_seq_++ & kSeqMask),
                  kind, target, payload};
    ++size_;
    const std::uint64_t w = window_of(time_ns);
    if (w <= base_window_) {
      bottom_.push_back(e);
      dary_heap::sift_up(bottom_, bottom_.size() - 1);
      return;
    }
    spill(e, w);
    if (bottom_.empty()) refill();
  }

  const Event& top() const { return bottom_.front(); }

  Event pop() {
    const Event out = bottom_.front();
    const Event last = bottom_.back();
    bottom_.pop_back();
    --size_;
    if (!bottom_.empty()) {
      dary_heap::sift_down(bottom_, 0, last);
    } else if (level_mask_ != 0) {
      refill();
    }
#ifndef NDEBUG
    last_pop_ns_ = out.time_ns;
#endif
    return out;
  }

 private:
  static constexpr std::uint64_t kSeqMask = (std::uint64_t{1} << 56) - 1;
  static constexpr unsigned kDigitBits = 8;
  static constexpr unsigned kSlotsPerLevel = 1u << kDigitBits;
  static constexpr unsigned kWordsPerLevel = kSlotsPerLevel / 64;
  static constexpr unsigned kLevels = 64 / kDigitBits;  // enough digits for any window index
  // 64 events = 2 KiB: long enough for streaming reads, short enough that a sparse slot
  // wastes little.
  static constexpr std::uint32_t kChunkEvents = 64;
  static constexpr std::uint32_t kNoChunk = std::numeric_limits<std::uint32_t>::max();
  static constexpr std::size_t kBottomReserve = 4096;
  static constexpr std::size_t kCacheLineBytes = 64;

  struct Slot {
    std::uint32_t head = kNoChunk;
    std::uint32_t tail = kNoChunk;
    std::uint32_t size = 0;
  };

  // Flipping the sign bit maps int64 order onto uint64 order, so negative times work too.
  std::uint64_t window_of(TimeNs t) const {
    return (static_cast<std::uint64_t>(t) ^ (std::uint64_t{1} << 63)) >> window_shift_;
  }

  // Files `e` (window w > base_window_) in the wheel.
  void spill(const Event& e, std::uint64_t w) {
    const unsigned level =
        static_cast<unsigned>(63 - std::countl_zero(w ^ base_window_)) / kDigitBits;
    const unsigned s = static_cast<unsigned>(w >> (level * kDigitBits)) & (kSlotsPerLevel - 1);
    Slot& slot = slots_[level][s];
    const std::uint32_t offset = slot.size % kChunkEvents;
    if (offset == 0) {
      const std::uint32_t c = alloc_chunk();
      if (slot.size == 0) {
        slot.head = c;
        occupied_[level][s / 64] |= std::uint64_t{1} << (s % 64);
        level_mask_ |= 1u << level;
      } else {
        next_chunk_[slot.tail] = c;
      }
      slot.tail = c;
    }
    pool_[static_cast<std::size_t>(slot.tail) * kChunkEvents + offset] = e;
    ++slot.size;
  }

  std::uint32_t alloc_chunk() {
    if (free_chunk_ != kNoChunk) {
      const std::uint32_t c = free_chunk_;
      free_chunk_ = next_chunk_[c];
      return c;
    }
    const auto c = static_cast<std::uint32_t>(next_chunk_.size());
    next_chunk_.push_back(kNoChunk);
    pool_.resize(pool_.size() + kChunkEvents);
    return c;
  }

  // Precondition: bottom empty, wheel not. Advances the base to the earliest occupied slot and
  // cascades it until some events land in the bottom, then heapifies them.
  void refill() {
    do {
      const auto level = static_cast<unsigned>(std::countr_zero(level_mask_));
      auto& words = occupied_[level];
      unsigned word = 0;
      while (words[word] == 0) ++word;
      const unsigned s = word * 64 + static_cast<unsigned>(std::countr_zero(words[word]));
      words[word] &= words[word] - 1;
      bool level_empty = true;
      for (const std::uint64_t x : words) level_empty = level_empty && x == 0;
      if (level_empty) level_mask_ &= ~(1u << level);

      const unsigned shift = level * kDigitBits;
      const unsigned above = shift + kDigitBits;
      const std::uint64_t high = above >= 64 ? 0 : (base_window_ >> above) << above;
      base_window_ = high | (static_cast<std::uint64_t>(s) << shift);

      const Slot slot = slots_[level][s];
      slots_[level][s] = Slot{};
      std::uint32_t c = slot.head;
      std::uint32_t remaining = slot.size;
      while (remaining != 0) {
        const std::uint32_t n = remaining < kChunkEvents ? remaining : kChunkEvents;
        const std::size_t first = static_cast<std::size_t>(c) * kChunkEvents;
        // Chunks are scattered by the free list, so the hardware prefetcher cannot see the next.
        if (remaining > kChunkEvents) prefetch_chunk(next_chunk_[c]);
        for (std::uint32_t i = 0; i < n; ++i) {
          const Event& e = pool_[first + i];
          const std::uint64_t w = window_of(e.time_ns);
          assert(w >= base_window_);
          if (w == base_window_) {
            bottom_.push_back(e);
          } else {
            // `e` is a reference into pool_, which spill may grow: copy it first.
            const Event copy = e;
            spill(copy, w);
          }
        }
        remaining -= n;
        // Recycle the chunk at once: it is hot in cache for the next spill.
        const std::uint32_t next = next_chunk_[c];
        next_chunk_[c] = free_chunk_;
        free_chunk_ = c;
        c = next;
      }
    } while (bottom_.empty());
    dary_heap::heapify(bottom_);
  }

  void prefetch_chunk(std::uint32_t c) const {
    const char* p = reinterpret_cast<const char*>(pool_.data() + std::size_t{c} * kChunkEvents);
    for (std::size_t b = 0; b < kChunkEvents * sizeof(Event); b += kCacheLineBytes)
      __builtin_prefetch(p + b);
  }

  unsigned window_shift_;
  std::uint64_t base_window_;
  std::vector<Event> bottom_;
  std::array<std::array<Slot, kSlotsPerLevel>, kLevels> slots_{};
  std::array<std::array<std::uint64_t, kWordsPerLevel>, kLevels> occupied_{};
  std::uint32_t level_mask_ = 0;
  std::vector<Event> pool_;
  std::vector<std::uint32_t> next_chunk_;
  std::uint32_t free_chunk_ = kNoChunk;
  std::size_t size_ = 0;
  std::uint64_t next_seq_ = 0;
#ifndef NDEBUG
  TimeNs last_pop_ns_ = std::numeric_limits<TimeNs>::min();
#endif
};

}  // namespace fleetsim
