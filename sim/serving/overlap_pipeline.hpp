// The per-layer overlap schedules DeepSeek published (Day-6 figures): stages of two
// microbatches on a compute lane and a communication lane, in barrier-separated groups. The
// layer's time is the sum over groups of the longer lane; the same schedule is exported as a
// timeline for --trace-steps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/hw/step_shape.hpp"

namespace fleetsim {

enum class Lane : std::uint8_t { kCompute, kComm };

struct StageSlot {
  std::string name;  // e.g. "ATTN", "DISPATCH"
  int microbatch = 0;
  Lane lane = Lane::kCompute;
  TimeNs start_ns = 0;
  TimeNs duration_ns = 0;
};

// Stage times of one layer for both microbatches, plus the all-to-all times.
struct LayerWork {
  LayerStageTimes mb[2];
  TimeNs dispatch_ns[2] = {0, 0};
  TimeNs combine_ns[2] = {0, 0};
  bool moe = true;
};

// Lays out one layer. `overlap` false runs the two microbatches' stages back to back on one lane
// (communication not hidden). Returns the slots; the layer's duration is layer_duration(slots).
std::vector<StageSlot> schedule_layer(Phase phase, bool overlap, const LayerWork& w);
TimeNs layer_duration(Phase phase, bool overlap, const LayerWork& w);  // no allocation
TimeNs slots_end(const std::vector<StageSlot>& slots);

}  // namespace fleetsim
