// The 4-ary min-heap moves over a vector of Event records (ordered by event_before), shared by
// the reference heap queue and the timing wheel's bottom heap.
#pragma once

#include <cstddef>
#include <vector>

#include "sim/engine/event.hpp"

namespace fleetsim::dary_heap {

inline constexpr std::size_t kArity = 4;

// Moves the event at i up to its place.
inline void sift_up(std::vector<Event>& h, std::size_t i) {
  const Event e = h[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (!event_before(e, h[parent])) break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = e;
}

// Moves `e` down from hole i to its place (`e` is taken by value: it may alias h[i]).
inline void sift_down(std::vector<Event>& h, std::size_t i, const Event e) {
  const std::size_t n = h.size();
  for (;;) {
    const std::size_t first = i * kArity + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t last = first + kArity < n ? first + kArity : n;
    for (std::size_t c = first + 1; c < last; ++c)
      if (event_before(h[c], h[best])) best = c;
    if (!event_before(h[best], e)) break;
    h[i] = h[best];
    i = best;
  }
  h[i] = e;
}

inline void heapify(std::vector<Event>& h) {
  const std::size_t n = h.size();
  if (n < 2) return;
  for (std::size_t i = (n - 2) / kArity + 1; i-- > 0;) sift_down(h, i, h[i]);
}

}  // namespace fleetsim::dary_heap
