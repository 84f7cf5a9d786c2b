// The nominal request mix of a workload (see nominal_request_mix.hpp).
#include "sim/serving/nominal_request_mix.hpp"

#include "sim/serving/workload.hpp"

namespace fleetsim {

RequestMix nominal_request_mix(const WorkloadSpec& workload, std::uint64_t seed, std::uint64_t samples) {
  RequestMix mix;
  Arrival a;
  if (workload.kind == "trace") {
    for (const TraceRecord& r : read_trace(workload.trace_path)) {
      if (mix.requests() >= samples) break;
      mix.add(r.input_tok, 0, r.output_tok);
    }
    return mix;
  }
  if (workload.requests_per_day <= 0) return mix;
  // A long horizon so the sampler never runs out, and a seed of its own: the plan is made from
  // the workload's distributions, not from a preview of the requests the run will see.
  constexpr std::uint64_t kNominalSeedSalt = 0x9E3779B97F4A7C15ull;
  SyntheticWorkload w(workload, kTimeNever / 2, seed ^ kNominalSeedSalt);
  while (mix.requests() < samples && w.next(a)) mix.add(a.input_tok, a.cached_tok, a.output_tok);
  return mix;
}

}  // namespace fleetsim
