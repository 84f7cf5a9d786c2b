// A prefill unit (e.g. 4 nodes, DP32 attention, EP32 experts): per-rank request queues, the
// batch of the step in flight, the KV-storage read pipe for cache hits, and its balancer.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/policies/load_balancer.hpp"
#include "sim/serving/prefill_queue.hpp"
#include "sim/serving/request.hpp"
#include "sim/serving/unit_state.hpp"

namespace fleetsim {

struct PrefillChunk {
  RequestId request;
  std::int32_t rank;
  std::int32_t tokens;
  // The chunk completes its request's prefill: known when the batch is made, so that the end of
  // the step pops the queue entry without reading it back (it has left the cache by then).
  bool finishes;
  double attended_pairs;
};

struct PrefillUnit {
  UnitState state = UnitState::kOff;
  TimeNs warm_at_ns = 0;  // when the current warm-up ends (an earlier, cancelled one is ignored)
  std::vector<PrefillQueue> queues;  // one per DP rank
  std::vector<RankLoad> loads;      // what the rank balancer sees (queued work)
  std::unique_ptr<LoadBalancer> rank_lb;
  bool busy = false;
  bool kick_pending = false;
  TimeNs storage_free_ns = 0;        // the unit's KV-storage read pipe is FIFO
  std::vector<PrefillChunk> batch;   // the step in flight
  std::int64_t queued_requests = 0;
  double queued_computed_tok = 0;

  bool accepting() const { return state == UnitState::kActive; }
  bool idle_and_empty() const { return !busy && queued_requests == 0; }
};

}  // namespace fleetsim
