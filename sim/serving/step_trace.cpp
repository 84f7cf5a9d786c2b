// Builds per-GPU lanes of a step from the overlap schedule (see step_trace.hpp).
#include "sim/serving/step_trace.hpp"

#include <algorithm>
#include <cmath>

namespace fleetsim {

double append_step_trace(Json& events, const std::string& label, Phase phase, bool overlap,
                         const ModelSpec& model, const LayerCostModel& layers,
                         const std::vector<GpuStepWork>& gpus, const StepResult& unit_step,
                         SmSplit sms, int slots_per_gpu, int pid_offset, double start_us) {
  double end_us = start_us;
  for (std::size_t g = 0; g < gpus.size(); ++g) {
    const int pid = pid_offset + static_cast<int>(g);
    events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid},
                      {"args", {{"name", label + " GPU " + std::to_string(g)}}}});
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", 0},
                      {"args", {{"name", "compute"}}}});
    events.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", 1},
                      {"args", {{"name", "communication"}}}});
    ExpertWork ex;
    ex.tokens_per_slot.assign(static_cast<std::size_t>(slots_per_gpu),
                              static_cast<std::int64_t>(std::ceil(gpus[g].routed_tokens_mb / slots_per_gpu)));
    LayerWork w;
    const LayerStageTimes own = layers.layer(phase, true, gpus[g].mb, ex, sms);
    w.mb[0] = w.mb[1] = own;
    // The all-to-all ends when the slowest GPU has sent: a faster GPU sees it as waiting.
    for (int i = 0; i < 2; ++i) {
      w.dispatch_ns[i] = unit_step.moe.dispatch_ns[i];
      w.combine_ns[i] = unit_step.moe.combine_ns[i];
    }
    const auto slots = schedule_layer(phase, overlap, w);
    double t_us = start_us;
    for (int layer = 0; layer < model.num_moe_layers(); ++layer) {
      for (const StageSlot& s : slots) {
        events.push_back({{"ph", "X"}, {"pid", pid}, {"tid", s.lane == Lane::kComm ? 1 : 0},
                          {"name", s.name + " mb" + std::to_string(s.microbatch)},
                          {"ts", t_us + static_cast<double>(s.start_ns) / 1e3},
                          {"dur", static_cast<double>(s.duration_ns) / 1e3},
                          {"args", {{"layer", layer + model.num_dense_layers}}}});
      }
      // Every GPU leaves the layer when the slowest one does (the barrier of the all-to-all).
      t_us += static_cast<double>(unit_step.moe_layer_ns) / 1e3;
    }
    end_us = std::max(end_us, t_us);
  }
  return end_us;
}

}  // namespace fleetsim
