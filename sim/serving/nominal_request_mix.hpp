// The request mix a workload produces before anything is observed: what capacity is planned on
// before the run has seen its own requests.
#pragma once

#include <cstdint>

#include "sim/metrics/request_mix.hpp"
#include "sim/spec/scenario_spec.hpp"

namespace fleetsim {

// The mix a workload produces, before anything is observed: the first `samples` requests the
// workload itself would generate (synthetic: its own samplers; trace: its first records, with
// cache hits left to the prefix cache).
RequestMix nominal_request_mix(const WorkloadSpec& workload, std::uint64_t seed,
                               std::uint64_t samples = 20000);

}  // namespace fleetsim
