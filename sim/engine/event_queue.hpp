// The engine's pending-event set. EventQueue is the fast timing-wheel queue; HeapEventQueue, the
// original 4-ary heap, stays as the reference it is tested against (same interface, same order).
#pragma once

#include "sim/engine/heap_event_queue.hpp"
#include "sim/engine/wheel_event_queue.hpp"

namespace fleetsim {

// Pop order is exactly (time, phase, insertion sequence) for both, so swapping them never
// changes a simulation's results: bench/engine_bench and tests/engine compare the two.
using EventQueue = WheelEventQueue;

}  // namespace fleetsim
