// A request's life in the serving system, and the pool that recycles their records so that a
// day of 10^8 requests needs memory only for those in flight.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/util/huge_page_allocator.hpp"

namespace fleetsim {

using RequestId = std::uint32_t;  // index into the pool (recycled)
inline constexpr RequestId kNoRequest = static_cast<RequestId>(-1);

// One cache line: records are touched at a few scattered moments of a request's life, so each
// touch costs one miss, not two. Token counts fit 32 bits: a request longer than that is turned
// away at arrival, before any of its counts is used.
struct alignas(64) Request {
  TimeNs arrival_ns = 0;
  TimeNs first_token_ns = 0;  // prefill done: first token out
  TimeNs decode_join_ns = 0;
  std::int64_t join_step = 0;     // the decode unit's step at which it joined the batch
  std::int32_t input_tok = 0;
  std::int32_t cached_tok = 0;    // prefix served from the on-disk KV cache
  std::int32_t output_tok = 0;
  std::int32_t decode_rank = -1;
  RequestId next = kNoRequest;    // intrusive FIFO link (decode's waiting queue; the free list)

  std::int64_t computed_tok() const { return std::int64_t{input_tok} - cached_tok; }
};
static_assert(sizeof(Request) == 64);

// The longest request a Request can hold, in input plus output tokens.
inline constexpr std::int64_t kMaxRequestTok = std::numeric_limits<std::int32_t>::max();

class RequestPool {
 public:
  RequestId acquire() {
    if (free_ != kNoRequest) {
      const RequestId id = free_;
      free_ = slots_[id].next;
      slots_[id] = Request{};
      ++live_;
      return id;
    }
    slots_.emplace_back();
    ++live_;
    return static_cast<RequestId>(slots_.size() - 1);
  }
  void release(RequestId id) {
    slots_[id].next = free_;
    free_ = id;
    --live_;
  }
  Request& operator[](RequestId id) { return slots_[id]; }
  // Starts fetching a record about to be used (one of many scattered over the pool).
  void prefetch(RequestId id) const { __builtin_prefetch(&slots_[id]); }  // one line: see Request
  const Request& operator[](RequestId id) const { return slots_[id]; }
  std::size_t live() const { return live_; }
  std::size_t capacity() const { return slots_.size(); }

 private:
  std::vector<Request, HugePageAllocator<Request>> slots_;
  RequestId free_ = kNoRequest;
  std::size_t live_ = 0;
};

// An intrusive FIFO of requests linked through Request::next (no allocation per request).
class RequestFifo {
 public:
  bool empty() const { return head_ == kNoRequest; }
  std::size_t size() const { return size_; }
  RequestId front() const { return head_; }
  void push_back(RequestPool& pool, RequestId id) {
    pool[id].next = kNoRequest;
    if (tail_ == kNoRequest) head_ = id;
    else pool[tail_].next = id;
    tail_ = id;
    ++size_;
  }
  // Removes `id`, whose predecessor is `prev` (kNoRequest at the head); returns its successor.
  RequestId unlink(RequestPool& pool, RequestId prev, RequestId id) {
    const RequestId next = pool[id].next;
    if (prev == kNoRequest) head_ = next;
    else pool[prev].next = next;
    if (tail_ == id) tail_ = prev;
    pool[id].next = kNoRequest;
    --size_;
    return next;
  }
  RequestId pop_front(RequestPool& pool) {
    const RequestId id = head_;
    head_ = pool[id].next;
    if (head_ == kNoRequest) tail_ = kNoRequest;
    pool[id].next = kNoRequest;
    --size_;
    return id;
  }

 private:
  RequestId head_ = kNoRequest, tail_ = kNoRequest;
  std::size_t size_ = 0;
};

}  // namespace fleetsim
