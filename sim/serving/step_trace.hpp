// Chrome trace (Perfetto) export of one simulated step: per GPU, a compute lane and a
// communication lane, layer by layer, with each GPU's own stage times and the waits that the
// all-to-all barriers impose when another GPU is slower.
#pragma once

#include <string>
#include <vector>

#include "sim/serving/step_timer.hpp"
#include "sim/util/json_reader.hpp"

namespace fleetsim {

struct GpuStepWork {
  RankBatch mb;  // this GPU's microbatch (attention side)
  double routed_tokens_mb = 0;  // routed token copies this GPU's experts receive per microbatch
};

// Appends the trace events of one step of `phase` starting at `start_us` to `events` (Chrome
// trace "X" events; pid = GPU, tid 0 = compute, 1 = communication). Returns the step's end (us).
double append_step_trace(Json& events, const std::string& label, Phase phase, bool overlap,
                         const ModelSpec& model, const LayerCostModel& layers,
                         const std::vector<GpuStepWork>& gpus, const StepResult& unit_step,
                         SmSplit sms, int slots_per_gpu, int pid_offset, double start_us);

}  // namespace fleetsim
