// The published overlap orders: stage sequence and the layer time they imply.
#include <catch2/catch.hpp>

#include "sim/serving/overlap_pipeline.hpp"

using namespace fleetsim;

namespace {
LayerWork work() {
  LayerWork w;
  for (auto& m : w.mb) {
    m.attn0_ns = 30;
    m.attn1_ns = 70;
    m.attn_ns = 100;
    m.shared_ns = 20;
    m.mlp_ns = 50;
  }
  w.dispatch_ns[0] = w.dispatch_ns[1] = 60;
  w.combine_ns[0] = w.combine_ns[1] = 90;
  return w;
}
std::vector<std::string> compute_order(const std::vector<StageSlot>& slots) {
  std::vector<std::string> v;
  for (const auto& s : slots)
    if (s.lane == Lane::kCompute) v.push_back(s.name + std::to_string(s.microbatch));
  return v;
}
}  // namespace

TEST_CASE("prefill dual-microbatch order follows the Day-6 figure") {
  const auto slots = schedule_layer(Phase::kPrefill, true, work());
  CHECK(compute_order(slots) ==
        std::vector<std::string>{"ATTN1", "SHARED0", "ATTN0", "MLP1", "MLP0", "SHARED1"});
  // Groups: max(100+20, 90) + max(100, 60) + max(50, 60) + max(50+20, 90) = 120+100+60+90.
  CHECK(layer_duration(Phase::kPrefill, true, work()) == 370);
  CHECK(slots_end(slots) == 370);
}

TEST_CASE("decode 5-stage pipeline order follows the Day-6 figure") {
  const auto slots = schedule_layer(Phase::kDecode, true, work());
  CHECK(compute_order(slots) == std::vector<std::string>{"SHARED0", "ATTN-01", "MLP0", "ATTN-11",
                                                         "SHARED1", "ATTN-00", "MLP1", "ATTN-10"});
  // max(20+30, 60) + 50 + max(70, 90) + max(20+30, 60) + 50 + max(70, 90) = 60+50+90+60+50+90.
  CHECK(layer_duration(Phase::kDecode, true, work()) == 400);
  CHECK(slots_end(slots) == 400);
}

TEST_CASE("without overlap communication is not hidden") {
  // 2 x (100 + 60 + 20 + 50 + 90) = 640 > 370 with overlap.
  CHECK(layer_duration(Phase::kPrefill, false, work()) == 640);
  CHECK(slots_end(schedule_layer(Phase::kPrefill, false, work())) == 640);
}
