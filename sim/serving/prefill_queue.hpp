// A prefill rank's queue: the requests waiting for (or part-way through) their prefill, in
// arrival order, each with the few fields the batcher reads, stored contiguously.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/serving/request.hpp"

namespace fleetsim {

// What the prefill batcher needs of a queued request. Every step walks each rank's queue from its
// head; reading these from the requests' own records, scattered over the pool, stalled on one
// cache miss per queued request (the chain's next link could not be known before its record
// arrived). In a ring of 32-byte entries the walk reads consecutive memory.
struct QueuedPrefill {
  TimeNs arrival_ns = 0;
  TimeNs ready_ns = 0;              // prefix KV loaded from the KV store: prefill may start
  RequestId id = kNoRequest;
  std::int32_t cached_tok = 0;      // prefix served from the KV store
  std::int32_t computed_tok = 0;    // tokens to compute (input less cached)
  std::int32_t prefilled_tok = 0;   // computed so far (chunked prefill)

  std::int64_t left_tok() const { return std::int64_t{computed_tok} - prefilled_tok; }
};
static_assert(sizeof(QueuedPrefill) == 32);

// FIFO ring of QueuedPrefill, growing by doubling.
class PrefillQueue {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  QueuedPrefill& operator[](std::size_t i) { return buf_[(head_ + i) & mask_]; }
  const QueuedPrefill& operator[](std::size_t i) const { return buf_[(head_ + i) & mask_]; }
  QueuedPrefill& front() { return (*this)[0]; }

  void push_back(const QueuedPrefill& e) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & mask_] = e;
    ++size_;
  }
  void pop_front() {
    assert(size_ > 0);
    head_ = (head_ + 1) & mask_;
    --size_;
  }
  // Removes entry i, moving whichever side of it is shorter: requests turned away for waiting too
  // long are the oldest, at or next to the head, so this is O(1) even in a long queue.
  void erase(std::size_t i) {
    assert(i < size_);
    if (i < size_ / 2) {
      for (std::size_t k = i; k > 0; --k) (*this)[k] = (*this)[k - 1];
      head_ = (head_ + 1) & mask_;
    } else {
      for (std::size_t k = i; k + 1 < size_; ++k) (*this)[k] = (*this)[k + 1];
    }
    --size_;
  }
  // Starts fetching the head entry (queues of different ranks live in different allocations).
  void prefetch_front() const {
    if (size_ > 0) __builtin_prefetch(&buf_[head_]);
  }

 private:
  void grow() {
    std::vector<QueuedPrefill> bigger(buf_.empty() ? kInitial : 2 * buf_.size());
    for (std::size_t k = 0; k < size_; ++k) bigger[k] = (*this)[k];
    buf_.swap(bigger);
    head_ = 0;
    mask_ = buf_.size() - 1;
  }

  static constexpr std::size_t kInitial = 16;  // a power of two, as every later size
  std::vector<QueuedPrefill> buf_;
  std::size_t head_ = 0, size_ = 0, mask_ = 0;
};

}  // namespace fleetsim
