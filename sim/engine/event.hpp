// The engine's event record: small, plain and totally ordered by (time, phase, sequence).
#pragma once

#include <cstdint>

#include "sim/engine/time.hpp"

namespace fleetsim {

// Same-time events run in phase order. Arrivals come first so that a request arriving at the
// instant a batch is formed can join it; completions of steps come after, so a unit that
// finishes at t sees every arrival stamped t before it forms its next batch; control (fleet
// scaling, EPLB, sampling) runs last, on a settled state.
enum class EventPhase : std::uint8_t {
  kArrival = 0,
  kTransfer = 1,
  kStep = 2,
  kControl = 3,
};

struct Event {
  TimeNs time_ns;
  // (phase << 56) | sequence: one integer compare gives the phase-then-FIFO tie break.
  std::uint64_t order;
  std::uint32_t kind;     // what to do: interpreted by the owner of the queue (a tagged event)
  std::uint32_t target;   // which component/object it is for
  std::uint64_t payload;  // kind-specific argument (request id, generation counter, ...)

  EventPhase phase() const { return static_cast<EventPhase>(order >> 56); }
};

inline bool event_before(const Event& a, const Event& b) {
  return a.time_ns < b.time_ns || (a.time_ns == b.time_ns && a.order < b.order);
}

}  // namespace fleetsim
