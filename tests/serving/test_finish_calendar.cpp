// The decode unit's finish calendar against a heap on (finish step, id): same requests, same order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "sim/engine/rng.hpp"
#include "sim/serving/finish_calendar.hpp"

using namespace fleetsim;

TEST_CASE("finish calendar pops each step's requests in ascending id, near and far, one by one or batched") {
  FinishCalendar cal;
  using Entry = std::pair<std::int64_t, RequestId>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  Rng rng(7, "calendar");
  RequestId next_id = 0;
  std::int64_t step = 0, popped = 0, far = 0;
  std::size_t most_at_once = 0;
  for (; step < 3 * FinishCalendar::kHorizonSteps; ++step) {
    // A few joins a step: mostly short streams, some past the ring's horizon, ids not in
    // finish order (a recycled pool hands out low ids late); now and then a burst finishing
    // together.
    const bool burst = step % 97 == 0;
    std::vector<FinishCalendar::Entry> joins;  // every other step pushed as one batch
    for (int k = 0; k < (burst ? 80 : 3); ++k) {
      const bool long_one = rng.below(10) == 0;
      const auto len = burst ? std::int64_t{10}
                             : static_cast<std::int64_t>(
                                   1 + rng.below(long_one ? 4 * FinishCalendar::kHorizonSteps : 50));
      far += len >= FinishCalendar::kHorizonSteps;
      const RequestId id = (next_id++ * 7919u) % 100003u;
      if (step % 2 == 0) {
        joins.push_back({step + len, id});
      } else {
        cal.push(step + len, id);
      }
      heap.push({step + len, id});
    }
    cal.push_all(joins);
    const auto& due = cal.advance(step + 1);
    std::vector<RequestId> want;
    while (!heap.empty() && heap.top().first <= step + 1) {
      want.push_back(heap.top().second);
      heap.pop();
    }
    REQUIRE(due == want);
    popped += static_cast<std::int64_t>(due.size());
    most_at_once = std::max(most_at_once, due.size());
    REQUIRE(cal.size() == heap.size());
  }
  CHECK(popped > 1000);
  CHECK(far > 50);            // the heap path was exercised
  CHECK(most_at_once > 64);  // and many finishing at one step
}

TEST_CASE("an emptied calendar restarts its step count") {
  FinishCalendar cal;
  cal.push(3, 5);
  CHECK(cal.advance(1).empty());
  CHECK(cal.advance(2).empty());
  CHECK(cal.advance(3) == std::vector<RequestId>{5});
  CHECK(cal.empty());
  cal.reset(0);
  cal.push(1, 9);
  CHECK(cal.advance(1) == std::vector<RequestId>{9});
}
