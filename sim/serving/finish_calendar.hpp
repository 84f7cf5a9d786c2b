// The running requests of a decode unit by the step they finish at: a ring of per-step buckets
// over the near future and a heap for the far tail. O(1) per request where a binary heap over
// thousands of streams costs a cache miss per level on every pop.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <queue>
#include <span>
#include <utility>
#include <vector>

#include "sim/serving/request.hpp"

namespace fleetsim {

class FinishCalendar {
 public:
  // Steps covered by the ring; the tail past it (long outputs) waits in the heap. A power of
  // two well above a typical stream's step count, so few requests take the heap path.
  static constexpr std::int64_t kHorizonSteps = 2048;

  // `finish_step` is after the current step.
  void push(std::int64_t finish_step, RequestId id) {
    assert(finish_step > step_);
    ++size_;
    if (finish_step - step_ < kHorizonSteps) {
      bucket(finish_step).push_back(id);
    } else {
      far_.push({finish_step, id});
    }
  }

  using Entry = std::pair<std::int64_t, RequestId>;  // (finish step, request)
  // Pushes a batch. Buckets are scattered in memory: their headers and then their ends are
  // fetched for the whole batch first, so that the misses overlap instead of queueing up.
  void push_all(std::span<const Entry> batch) {
    for (const auto& [finish_step, id] : batch) {
      if (finish_step - step_ < kHorizonSteps) __builtin_prefetch(&bucket(finish_step));
    }
    for (const auto& [finish_step, id] : batch) {
      if (finish_step - step_ < kHorizonSteps) __builtin_prefetch(bucket(finish_step).data() + bucket(finish_step).size(), 1);
    }
    for (const auto& [finish_step, id] : batch) push(finish_step, id);
  }

  // Moves to the next step, `step`, and returns the requests finishing at it in ascending id
  // order (the order a heap on (step, id) pops them). Valid until the next call.
  const std::vector<RequestId>& advance(std::int64_t step) {
    assert(step == step_ + 1);
    step_ = step;
    due_.clear();
    if (size_ == 0) return due_;
    std::vector<RequestId>& b = bucket(step);
    due_.swap(b);
    std::sort(due_.begin(), due_.end());
    size_ -= due_.size();
    // The coming steps' buckets were filled long ago and have left the cache: the header of the
    // one two steps on is fetched now, so that next_due (a step before its turn) does not miss.
    __builtin_prefetch(&bucket(step + 2));
    // The tail entering the ring's horizon moves into its bucket.
    while (!far_.empty() && far_.top().first - step_ < kHorizonSteps) {
      bucket(far_.top().first).push_back(far_.top().second);
      far_.pop();
    }
    return due_;
  }

  // The requests due at the next step so far, in no particular order: their records can be
  // fetched a step ahead.
  std::span<const RequestId> next_due() { return bucket(step_ + 1); }

  // Restarts the step count of an empty calendar (a unit turned off and on again).
  void reset(std::int64_t step) {
    assert(size_ == 0);
    step_ = step;
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

 private:
  std::vector<RequestId>& bucket(std::int64_t step) {
    if (ring_.empty()) ring_.resize(static_cast<std::size_t>(kHorizonSteps));
    return ring_[static_cast<std::size_t>(step & (kHorizonSteps - 1))];
  }

  using Far = Entry;
  std::vector<std::vector<RequestId>> ring_;
  std::priority_queue<Far, std::vector<Far>, std::greater<Far>> far_;
  std::vector<RequestId> due_;
  std::int64_t step_ = 0;
  std::size_t size_ = 0;
};

}  // namespace fleetsim
