// Reference pending-event set: the original 4-ary min-heap over a vector of Event records.
// Kept as the ordering oracle for the tests and the baseline for bench/engine_bench.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/engine/dary_heap.hpp"
#include "sim/engine/event.hpp"

namespace fleetsim {

class HeapEventQueue {
 public:
  void reserve(std::size_t n) { heap_.reserve(n); }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  std::uint64_t scheduled_count() const { return next_seq_; }

  // Schedules an event; the sequence number is stamped here, so insertion order breaks ties.
  void push(TimeNs time_ns, EventPhase phase, std::uint32_t kind, std::uint32_t target,
            std::uint64_t payload = 0) {
    assert(time_ns >= last_pop_ns_ && "event scheduled before the current time");
    Event e{time_ns, (static_cast<std::uint64_t>(phase) << 56) | (next_seq_++ & kSeqMask), kind,
            target, payload};
    heap_.push_back(e);
    dary_heap::sift_up(heap_, heap_.size() - 1);
  }

  const Event& top() const { return heap_.front(); }

  Event pop() {
    Event out = heap_.front();
    Event last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) dary_heap::sift_down(heap_, 0, last);
#ifndef NDEBUG
    last_pop_ns_ = out.time_ns;
#endif
    return out;
  }

 private:
  static constexpr std::uint64_t kSeqMask = (std::uint64_t{1} << 56) - 1;

  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
#ifndef NDEBUG
  TimeNs last_pop_ns_ = std::numeric_limits<TimeNs>::min();
#endif
};

}  // namespace fleetsim
