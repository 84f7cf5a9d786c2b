// The StepQuery of a unit at its operating point: prefill at its token budget with the
// workload's mean prompt; decode at a batch and mean KV length (by default the largest batch
// meeting the speed SLO). Two microbatches a step, as the StepTimer composes them.
#include "calibrate/step/simulated_step.hpp"

#include <cmath>
#include <cstdio>

#include "calibrate/step/routing_draw.hpp"
#include "sim/util/config_error.hpp"

namespace fleetsim {

namespace {

std::string format(const char* fmt, auto... args) {
  const int n = std::snprintf(nullptr, 0, fmt, args...);
  std::string s(static_cast<std::size_t>(n), '\0');
  std::snprintf(s.data(), s.size() + 1, fmt, args...);
  return s;
}

}  // namespace

SimulatedStep simulated_step(const ServingSystem& sys, const StepOptions& o) {
  const ScenarioSpec& s = sys.scenario();
  const bool decode = o.phase == Phase::kDecode;
  SimulatedStep st;
  st.phase = o.phase;
  st.unit = decode ? s.decode : s.prefill;
  const UnitSpec& u = st.unit;
  const StepTimer& timer = decode ? sys.decode_timer() : sys.prefill_timer();
  StepQuery& q = st.query;
  if (decode) {
    // A batch that cannot be held is no operating point (and past int64 the costs overflow).
    const double capacity_tok = sys.decode_kv_capacity_tok_per_gpu();
    if (!(o.kv_tok > 0 && o.kv_tok <= capacity_tok))
      throw ConfigError("--kv", "", format("expected a KV length in (0, %.0f] tokens (a decode GPU's KV capacity), got %g",
                                           capacity_tok, o.kv_tok));
    double b = o.batch_per_gpu;
    if (b <= 0) b = sys.decode_unit_streams_at_slo(o.kv_tok) / u.gpus_per_unit;
    if (!(b > 0))
      throw ConfigError("--kv", "", format("expected a KV length at which some batch meets the %g tok/s speed SLO, "
                                           "got %g (or give --batch-per-gpu)",
                                           s.slo.min_output_tok_per_s, o.kv_tok));
    if (b * o.kv_tok > capacity_tok)
      throw ConfigError("--batch-per-gpu", "",
                        format("expected a batch whose KV fits a decode GPU: %g sequences x %g tokens is above its "
                               "KV capacity of %.0f tokens",
                               b, o.kv_tok, capacity_tok));
    const double tok_per_seq = u.mtp ? 2.0 : 1.0;  // MTP verifies one draft token per step
    const double mb = std::ceil(b / 2);
    q.max_rank_mb.sequences = static_cast<std::int64_t>(mb);
    q.max_rank_mb.tokens = static_cast<std::int64_t>(mb * tok_per_seq);
    q.max_rank_mb.kv_tokens_read = mb * o.kv_tok;
    q.max_rank_mb.attended_pairs = mb * tok_per_seq * o.kv_tok;
    q.unit_tokens_mb = b / 2 * tok_per_seq * u.gpus_per_unit;
    q.logit_tokens = static_cast<std::int64_t>(b * tok_per_seq);
    st.per_gpu_tokens = b * sys.decode_tokens_per_step();
    st.description = format("decode step, %d GPUs (EP%d), %.0f sequences per GPU, KV %.0f tokens, MTP %s",
                            u.gpus_per_unit, u.ep_degree, b, o.kv_tok, u.mtp ? "on" : "off");
  } else {
    // The step the autoscaler plans with: the workload's mix at the token budget, whose
    // attention is token-weighted (long prompts cost what they cost).
    const RequestMix& mix = sys.nominal_mix();
    q = sys.prefill_budget_query(mix, &st.per_gpu_tokens);
    st.description = format("prefill step, %d GPUs (EP%d), %.0f computed tokens per GPU, mean prompt "
                            "%.0f (%.0f cached), %.0f attention pairs per computed token",
                            u.gpus_per_unit, u.ep_degree, st.per_gpu_tokens,
                            mix.mean_computed_tok() + mix.mean_cached_tok(), mix.mean_cached_tok(),
                            mix.pairs_per_computed_tok());
  }
  st.sms = {u.overlap ? s.hardware.gpu.sm_count - u.comm_sms : s.hardware.gpu.sm_count, u.comm_sms};
  // The StepTimer costs the step operators once for both microbatches.
  st.step_batch = q.max_rank_mb;
  st.step_batch.tokens *= 2;
  st.step_batch.sequences *= 2;
  st.step_batch.attended_pairs *= 2;
  st.step_batch.kv_tokens_read *= 2;

  if (o.routing == StepRouting::kUniform) {
    const double imbalance = timer.imbalance_of(q);
    const double gpu_tokens = q.unit_tokens_mb * s.model.moe.top_k / u.gpus_per_unit * imbalance;
    st.experts.tokens_per_slot.assign(static_cast<std::size_t>(u.slots_per_gpu),
                                      static_cast<std::int64_t>(std::ceil(gpu_tokens / u.slots_per_gpu)));
    st.routing = format("uniform: %.0f routed tokens over %d slots, expert imbalance %.3f (the "
                        "StepTimer's split)",
                        gpu_tokens, u.slots_per_gpu, imbalance);
  } else {
    const auto per_gpu = static_cast<std::int64_t>(std::llround(q.unit_tokens_mb / u.gpus_per_unit));
    const RoutingDraw d = draw_routing(s, u, o.phase, per_gpu);
    st.experts = d.busiest;
    st.routing = format("drawn: one microbatch of %lld tokens per GPU through policies.expert_routing "
                        "over the initial EPLB placement; busiest GPU %d: %lld routed tokens "
                        "(mean %.0f, max/mean %.3f) over %d slots",
                        static_cast<long long>(per_gpu), d.busiest_gpu,
                        static_cast<long long>(d.max_gpu_tokens), d.mean_gpu_tokens,
                        d.mean_gpu_tokens > 0 ? static_cast<double>(d.max_gpu_tokens) / d.mean_gpu_tokens : 0.0,
                        u.slots_per_gpu);
  }
  return st;
}

std::vector<Operator> SimulatedStep::layer_ops(const ModelShapes& shapes, bool moe_layer) const {
  return layer_operators(shapes, phase, moe_layer, query.max_rank_mb, experts);
}

std::vector<Operator> SimulatedStep::step_ops(const ModelShapes& shapes) const {
  return step_operators(shapes, phase, step_batch, query.logit_tokens);
}

}  // namespace fleetsim
