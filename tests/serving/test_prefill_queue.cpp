// A prefill rank's queue against std::deque: the same entries in the same order through growth,
// wrap-around, pops and erasures from the middle.
#include <catch2/catch.hpp>

#include <deque>

#include "sim/engine/rng.hpp"
#include "sim/serving/prefill_queue.hpp"

using namespace fleetsim;

TEST_CASE("prefill queue keeps arrival order through growth, wrap-around, pops and erasures") {
  PrefillQueue q;
  std::deque<QueuedPrefill> ref;
  Rng rng(11, "prefill_queue");
  RequestId next_id = 0;
  std::size_t largest = 0;
  for (int op = 0; op < 200'000; ++op) {
    // Pushes outweigh pops for a while (the queue grows past several doublings), then drain.
    const std::uint64_t roll = rng.below(100);
    const bool growing = op < 100'000;
    if (roll < (growing ? 55u : 40u)) {
      QueuedPrefill e;
      e.id = next_id++;
      e.arrival_ns = op;
      e.ready_ns = op + static_cast<TimeNs>(rng.below(1000));
      e.cached_tok = static_cast<std::int32_t>(rng.below(5000));
      e.computed_tok = 1 + static_cast<std::int32_t>(rng.below(5000));
      q.push_back(e);
      ref.push_back(e);
    } else if (roll < 95 && !ref.empty()) {
      // The head advances its prefill, as a step does, and leaves once done.
      q.front().prefilled_tok += 1;
      ref.front().prefilled_tok += 1;
      if (rng.below(2) == 0) {
        q.pop_front();
        ref.pop_front();
      }
    } else if (!ref.empty()) {
      const auto i = static_cast<std::size_t>(rng.below(ref.size()));
      q.erase(i);
      ref.erase(ref.begin() + static_cast<std::ptrdiff_t>(i));
    }
    largest = std::max(largest, ref.size());
    REQUIRE(q.size() == ref.size());
    REQUIRE(q.empty() == ref.empty());
    if (op % 97 == 0) {
      for (std::size_t i = 0; i < ref.size(); ++i) {
        REQUIRE(q[i].id == ref[i].id);
        REQUIRE(q[i].prefilled_tok == ref[i].prefilled_tok);
        REQUIRE(q[i].ready_ns == ref[i].ready_ns);
        REQUIRE(q[i].left_tok() == ref[i].computed_tok - ref[i].prefilled_tok);
      }
    }
  }
  CHECK(largest > 1000);  // several doublings from the first 16 entries
}
