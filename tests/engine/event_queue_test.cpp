// Pending-event queues: the (time, phase, FIFO) order, edge cases, and a randomized differential
// test of the fast WheelEventQueue against the reference HeapEventQueue.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/rng.hpp"

using namespace fleetsim;

namespace {

// Window widths to exercise: the default (1 ns), a mid one, and one so wide that the wheel
// degenerates to its bottom heap.
constexpr unsigned kShifts[] = {0, 6, 40};

template <class Queue>
Queue make_queue(unsigned shift) {
  if constexpr (std::is_same_v<Queue, WheelEventQueue>) {
    return Queue(shift);
  } else {
    (void)shift;
    return Queue();
  }
}

template <class Queue>
std::vector<Event> drain(Queue& q) {
  std::vector<Event> out;
  while (!q.empty()) out.push_back(q.pop());
  return out;
}

bool same_event(const Event& a, const Event& b) {
  return a.time_ns == b.time_ns && a.order == b.order && a.kind == b.kind &&
         a.target == b.target && a.payload == b.payload;
}

}  // namespace

TEMPLATE_TEST_CASE("empty and single-event queues", "[engine][queue]", HeapEventQueue,
                   WheelEventQueue) {
  TestType q;
  CHECK(q.empty());
  CHECK(q.size() == 0);
  CHECK(q.scheduled_count() == 0);
  q.push(5, EventPhase::kStep, 7, 8, 9);
  CHECK_FALSE(q.empty());
  CHECK(q.size() == 1);
  CHECK(q.top().time_ns == 5);
  const Event e = q.pop();
  CHECK(e.time_ns == 5);
  CHECK(e.phase() == EventPhase::kStep);
  CHECK(e.kind == 7);
  CHECK(e.target == 8);
  CHECK(e.payload == 9);
  CHECK(q.empty());
  CHECK(q.scheduled_count() == 1);
  // Refilling after running dry, at the same and at a later time.
  q.push(5, EventPhase::kArrival, 1, 0);
  q.push(1'000'000, EventPhase::kArrival, 2, 0);
  CHECK(q.pop().kind == 1);
  CHECK(q.pop().kind == 2);
  CHECK(q.empty());
  CHECK(q.scheduled_count() == 3);
}

TEMPLATE_TEST_CASE("order is time, then phase, then insertion", "[engine][queue]",
                   HeapEventQueue, WheelEventQueue) {
  for (const unsigned shift : kShifts) {
    auto q = make_queue<TestType>(shift);
    q.push(300, EventPhase::kArrival, 0, 0);
    q.push(100, EventPhase::kControl, 1, 0);
    q.push(100, EventPhase::kStep, 2, 0);
    q.push(100, EventPhase::kStep, 3, 0);
    q.push(100, EventPhase::kArrival, 4, 0);
    q.push(200, EventPhase::kArrival, 5, 0);
    q.push(100, EventPhase::kStep, 6, 0);
    q.push(100, EventPhase::kTransfer, 7, 0);
    std::vector<std::uint32_t> kinds;
    for (const Event& e : drain(q)) kinds.push_back(e.kind);
    CHECK(kinds == std::vector<std::uint32_t>{4, 7, 2, 3, 6, 1, 5, 0});
  }
}

TEMPLATE_TEST_CASE("events scheduled at the current time, in an earlier phase, run next",
                   "[engine][queue]", HeapEventQueue, WheelEventQueue) {
  TestType q;
  q.push(1'000, EventPhase::kStep, 1, 0);
  q.push(1'000, EventPhase::kControl, 2, 0);
  q.push(2'000, EventPhase::kArrival, 3, 0);
  CHECK(q.pop().kind == 1);
  // Same instant, earlier phase than the pending control event: runs before it.
  q.push(1'000, EventPhase::kArrival, 4, 0);
  CHECK(q.top().kind == 4);
  CHECK(q.pop().kind == 4);
  CHECK(q.pop().kind == 2);
  // Nothing pending at 1'500 yet; a push there after the queue has looked ahead still comes first.
  CHECK(q.top().kind == 3);
  q.push(1'500, EventPhase::kControl, 5, 0);
  CHECK(q.pop().kind == 5);
  CHECK(q.pop().kind == 3);
  CHECK(q.empty());
}

TEMPLATE_TEST_CASE("far future and huge spreads", "[engine][queue]", HeapEventQueue,
                   WheelEventQueue) {
  for (const unsigned shift : kShifts) {
    auto q = make_queue<TestType>(shift);
    q.push(kTimeNever, EventPhase::kControl, 0, 0);
    q.push(kNsPerDay, EventPhase::kControl, 1, 0);
    q.push(0, EventPhase::kStep, 2, 0);
    q.push(kNsPerDay - 1, EventPhase::kArrival, 3, 0);
    q.push(1, EventPhase::kStep, 4, 0);
    q.push(kNsPerHour, EventPhase::kStep, 5, 0);
    q.push(kTimeNever, EventPhase::kArrival, 6, 0);
    CHECK(q.pop().kind == 2);
    CHECK(q.pop().kind == 4);
    // Interleave: now at 1 ns, schedule a day ahead and 1 ns ahead.
    q.push(1 + kNsPerDay, EventPhase::kArrival, 7, 0);
    q.push(2, EventPhase::kArrival, 8, 0);
    std::vector<std::uint32_t> kinds;
    for (const Event& e : drain(q)) kinds.push_back(e.kind);
    CHECK(kinds == std::vector<std::uint32_t>{8, 5, 3, 1, 7, 6, 0});
  }
}

TEMPLATE_TEST_CASE("negative times keep their order", "[engine][queue]", HeapEventQueue,
                   WheelEventQueue) {
  TestType q;
  q.push(-5, EventPhase::kStep, 0, 0);
  q.push(-kNsPerDay, EventPhase::kStep, 1, 0);
  q.push(3, EventPhase::kStep, 2, 0);
  q.push(-5, EventPhase::kArrival, 3, 0);
  std::vector<std::uint32_t> kinds;
  for (const Event& e : drain(q)) kinds.push_back(e.kind);
  CHECK(kinds == std::vector<std::uint32_t>{1, 3, 0, 2});
}

TEMPLATE_TEST_CASE("a large same-time burst pops in FIFO order per phase", "[engine][queue]",
                   HeapEventQueue, WheelEventQueue) {
  TestType q;
  constexpr std::uint32_t kBurst = 20'000;
  for (std::uint32_t i = 0; i < kBurst; ++i)
    q.push(777, static_cast<EventPhase>(i % 4), i, 0);
  std::uint32_t expected_phase = 0;
  std::uint32_t expected_kind = 0;
  for (std::uint32_t i = 0; i < kBurst; ++i) {
    const Event e = q.pop();
    if (e.kind != expected_kind) {
      ++expected_phase;
      expected_kind = expected_phase;
    }
    REQUIRE(e.kind == expected_kind);
    REQUIRE(static_cast<std::uint32_t>(e.phase()) == expected_phase);
    expected_kind += 4;
  }
  CHECK(q.empty());
}

namespace {

// A random script of pushes and pops, with the mix the simulator produces (same instant, a short
// bounded delay) plus far-future and huge-spread pushes; every op is mirrored on both queues.
struct DifferentialResult {
  std::uint64_t ops = 0;
  std::uint64_t pops = 0;
  std::uint64_t hash = 0;
  bool identical = true;
};

DifferentialResult run_differential(std::uint64_t seed, unsigned shift, std::uint64_t ops) {
  Rng rng(seed, "queue-differential");
  WheelEventQueue fast(shift);
  HeapEventQueue ref;
  DifferentialResult r;
  TimeNs now = 0;
  std::uint64_t payload = 0;
  for (r.ops = 0; r.ops < ops; ++r.ops) {
    // Pop with probability ~0.5, biased to keep a few thousand events pending.
    const bool do_pop = !ref.empty() && rng.below(1000) < (ref.size() > 3000 ? 600u : 450u);
    if (do_pop) {
      if (!same_event(fast.top(), ref.top()) || fast.size() != ref.size()) {
        r.identical = false;
        return r;
      }
      const Event a = fast.pop();
      const Event b = ref.pop();
      if (!same_event(a, b)) {
        r.identical = false;
        return r;
      }
      now = a.time_ns;
      r.hash = (r.hash ^ static_cast<std::uint64_t>(a.time_ns) ^ a.order) * 0x100000001B3ULL;
      ++r.pops;
      continue;
    }
    TimeNs t = now;
    switch (rng.below(8)) {
      case 0: break;                                                             // same instant
      case 1: t += static_cast<TimeNs>(rng.below(4)); break;                     // ties nearby
      case 2: t += static_cast<TimeNs>(rng.exponential(1e3)); break;             // ~us
      case 3: t += static_cast<TimeNs>(rng.exponential(1e6)); break;             // ~ms
      case 4: t += 1 + static_cast<TimeNs>(rng.below(256)) * 256; break;         // slot edges
      case 5: t += static_cast<TimeNs>(rng.below(static_cast<std::uint64_t>(kNsPerDay))); break;
      case 6: t += kNsPerDay; break;                                             // a day ahead
      default: t += static_cast<TimeNs>(rng.exponential(1e9)); break;            // ~s
    }
    const auto phase = static_cast<EventPhase>(rng.below(4));
    const auto kind = static_cast<std::uint32_t>(rng.below(16));
    const auto target = static_cast<std::uint32_t>(rng.below(1u << 20));
    fast.push(t, phase, kind, target, payload);
    ref.push(t, phase, kind, target, payload);
    ++payload;
  }
  while (!ref.empty()) {
    if (fast.empty() || !same_event(fast.pop(), ref.pop())) {
      r.identical = false;
      return r;
    }
    ++r.pops;
  }
  r.identical = r.identical && fast.empty() && fast.scheduled_count() == ref.scheduled_count();
  return r;
}

}  // namespace

TEST_CASE("wheel queue pops exactly the reference heap's sequence", "[engine][queue]") {
  for (const unsigned shift : kShifts) {
    for (const std::uint64_t seed : {1u, 2u}) {
      const DifferentialResult r = run_differential(seed, shift, 1'000'000);
      INFO("shift " << shift << " seed " << seed << " failed after " << r.ops << " ops");
      CHECK(r.identical);
      CHECK(r.pops > 400'000);
    }
  }
}

TEST_CASE("hold model: identical to the reference over a million events", "[engine][queue]") {
  // The bench's workload at a smaller size: every pop schedules one event Exp(1 ms) later.
  Rng rng(99, "hold");
  WheelEventQueue fast;
  HeapEventQueue ref;
  constexpr std::uint32_t kPending = 20'000;
  for (std::uint32_t i = 0; i < kPending; ++i) {
    const auto t = static_cast<TimeNs>(rng.exponential(1e6));
    fast.push(t, EventPhase::kStep, 0, i);
    ref.push(t, EventPhase::kStep, 0, i);
  }
  bool identical = true;
  for (int i = 0; i < 1'000'000 && identical; ++i) {
    const Event a = fast.pop();
    const Event b = ref.pop();
    identical = same_event(a, b);
    const TimeNs t = a.time_ns + static_cast<TimeNs>(rng.exponential(1e6));
    fast.push(t, EventPhase::kStep, 0, a.target);
    ref.push(t, EventPhase::kStep, 0, b.target);
  }
  CHECK(identical);
  CHECK(fast.size() == kPending);
}

TEST_CASE("queue runs are deterministic", "[engine][queue]") {
  const DifferentialResult a = run_differential(7, WheelEventQueue::kDefaultWindowShift, 200'000);
  const DifferentialResult b = run_differential(7, WheelEventQueue::kDefaultWindowShift, 200'000);
  CHECK(a.identical);
  CHECK(a.hash == b.hash);
  CHECK(a.pops == b.pops);
  const DifferentialResult c = run_differential(8, WheelEventQueue::kDefaultWindowShift, 200'000);
  CHECK(c.hash != a.hash);
}

TEST_CASE("EventQueue is the fast queue", "[engine][queue]") {
  STATIC_REQUIRE(std::is_same_v<EventQueue, WheelEventQueue>);
}
