// A decode unit (e.g. 18 nodes, DP144, EP144): running batches per rank with their KV, requests
// waiting to join, and the step at which each running request finishes.
#pragma once

#include <memory>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/policies/load_balancer.hpp"
#include "sim/serving/finish_calendar.hpp"
#include "sim/serving/request.hpp"
#include "sim/serving/unit_state.hpp"

namespace fleetsim {

struct DecodeRank {
  std::int32_t running = 0;
  // KV tokens held now = kv_base + running * tokens_per_step * step (see DecodeUnit::kv_of):
  // kv_base sums (input - join_step * tokens_per_step) over running requests, so the KV of a
  // whole rank advances in O(1) per step.
  double kv_base = 0;
};

struct DecodeUnit {
  UnitState state = UnitState::kOff;
  TimeNs warm_at_ns = 0;  // when the current warm-up ends (an earlier, cancelled one is ignored)
  std::vector<DecodeRank> ranks;
  std::vector<RankLoad> loads;  // reserved KV (input + expected output) and request counts
  std::unique_ptr<LoadBalancer> rank_lb;
  std::vector<RequestId> joining;  // KV on the way or waiting for a rank with room
  FinishCalendar finishing;  // running requests by the step they finish at
  std::int64_t step = 0;
  std::int64_t running = 0;
  bool busy = false;
  bool kick_pending = false;

  bool accepting() const { return state == UnitState::kActive; }
  bool idle_and_empty() const { return !busy && running == 0 && joining.empty(); }
  double kv_of(const DecodeRank& r, double tokens_per_step) const {
    return r.kv_base + r.running * tokens_per_step * static_cast<double>(step);
  }
};

}  // namespace fleetsim
