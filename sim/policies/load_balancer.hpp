// Request load balancers (Day-6 prefill and decode balancers plus baselines): pick the DP rank or
// unit a request goes to. Called on the serving hot path, so every decision is O(log n) or O(1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "sim/engine/rng.hpp"
#include "sim/util/registry.hpp"

namespace fleetsim {

// What a balancer sees of one target (a GPU/DP rank inside a unit, or a whole unit).
struct RankLoad {
  std::int64_t requests = 0;         // requests queued (prefill) or running (decode) there
  std::int64_t tokens = 0;           // prefill: input tokens queued; decode: KV tokens reserved
  double attention = 0;              // prefill: queued core-attention pairs; decode: KV tokens held
  std::int64_t capacity_tokens = 0;  // decode: KV capacity; 0 = unlimited
  bool accepting = true;             // false while warming up / draining
};

struct LbRequest {
  std::int64_t input_tokens = 0;
  std::int64_t computed_tokens = 0;
  std::int64_t cached_tokens = 0;
  std::int64_t expected_output_tokens = 0;
  double attention = 0;  // attended pairs this request adds
};

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  virtual std::string name() const = 0;
  // The loads the caller owns and updates; the span stays valid until the next attach.
  virtual void attach(std::span<const RankLoad> loads) = 0;
  // The caller changed loads[i] (after a pick, a completion, a state change).
  virtual void on_update(std::size_t i) = 0;
  // Between begin_updates() and end_updates() the caller only updates, never picks, so a
  // balancer may bring its pick index up to date once at the end instead of after every update
  // (a prefill step ends a few hundred chunks on a unit's few dozen ranks). Picks after
  // end_updates() are exactly those after the same updates made one at a time.
  virtual void begin_updates() {}
  virtual void end_updates() {}
  // Index of the target for this request, or kNoTarget when none is accepting / has room.
  virtual std::size_t pick(const LbRequest& r) = 0;
  static constexpr std::size_t kNoTarget = static_cast<std::size_t>(-1);
};

// A run of updates with no pick in between: begin_updates now, end_updates when the scope ends,
// however it ends.
class UpdateRun {
 public:
  explicit UpdateRun(LoadBalancer& lb) : lb_(lb) { lb_.begin_updates(); }
  ~UpdateRun() { lb_.end_updates(); }
  UpdateRun(const UpdateRun&) = delete;
  UpdateRun& operator=(const UpdateRun&) = delete;

 private:
  LoadBalancer& lb_;
};

// KV tokens a request needs on a decode target: its input plus the output it is expected to make.
inline std::int64_t kv_need_tokens(const LbRequest& r) {
  const std::int64_t need = r.input_tokens + r.expected_output_tokens;
  return need > 0 ? need : 0;
}

// A target can take the request: it is accepting and, when its capacity is bounded, has room.
inline bool can_take(const RankLoad& l, std::int64_t need_tok) {
  return l.accepting && (l.capacity_tokens <= 0 || l.tokens + need_tok <= l.capacity_tokens);
}

// Each balancer gets its own random stream (only "random" draws from it).
using LoadBalancerRegistry = Registry<LoadBalancer, Rng>;

// Two registries, selected in scenario.policies.prefill_lb / decode_lb; the baselines are in both.
const LoadBalancerRegistry& prefill_balancers();
const LoadBalancerRegistry& decode_balancers();

// Registration hooks of the built-in balancers (explicit so the linker keeps them).
void register_baseline_balancers(LoadBalancerRegistry& reg);
void register_attention_balanced(LoadBalancerRegistry& prefill);
void register_kv_balanced(LoadBalancerRegistry& decode);

}  // namespace fleetsim
