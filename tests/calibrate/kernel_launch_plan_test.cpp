// The cuda executor's launch plans on the Day-6 decode and prefill steps: every operator class
// maps to kernels whose shapes are the operator's (GEMM m/n/k/groups; attention FLOPs; elementwise
// bytes), and grouped GEMMs cover exactly the tokens the step routes to the busiest GPU.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <set>

#include "calibrate/cuda/operator_launch_plan.hpp"
#include "calibrate/step/simulated_step.hpp"

using namespace fleetsim;
using namespace fleetsim::microbench;

namespace {

const ScenarioSpec& day6() {
  static const ScenarioSpec s = load_scenario(FLEETSIM_SOURCE_DIR "/scenarios/deepseek-v3-r1-day.json");
  return s;
}

std::int64_t sum(const std::vector<std::int64_t>& v) {
  return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

// Checks one operator's plan; returns the tokens a grouped GEMM covers (0 for other classes).
std::int64_t check_plan(const Operator& op, const ModelShapes& shapes) {
  INFO("operator " << op.name << (op.mtp ? " (MTP)" : ""));
  const KernelLaunchPlan p = plan_kernel_launch(op, shapes);
  const auto precision = op.precision == OpPrecision::kFp8 ? LaunchPrecision::kFp8 : LaunchPrecision::kBf16;
  switch (op.cls) {
    case OpClass::kDenseGemm:
      CHECK(p.kind == LaunchKind::kGemm);
      CHECK(p.precision == precision);
      REQUIRE(p.gemms.size() == 1);
      CHECK(p.gemms[0].groups == 1);
      CHECK(p.gemms[0].m == op.m);
      CHECK(p.gemms[0].n == op.n);
      CHECK(p.gemms[0].k == op.k);
      return 0;
    case OpClass::kBatchedGemm:
      CHECK(p.kind == LaunchKind::kStridedBatchedGemm);
      CHECK(p.precision == LaunchPrecision::kBf16);
      REQUIRE(p.gemms.size() == 1);
      CHECK(p.gemms[0].groups == op.groups);
      CHECK(p.gemms[0].m == op.m);
      CHECK(p.gemms[0].n == op.n);
      CHECK(p.gemms[0].k == op.k);
      return 0;
    case OpClass::kGroupedGemmContiguous:
    case OpClass::kGroupedGemmMasked: {
      CHECK(p.kind == LaunchKind::kGemm);
      CHECK(p.precision == LaunchPrecision::kFp8);
      REQUIRE(p.group_rows.size() == static_cast<std::size_t>(op.groups));
      std::int64_t max_rows = 0, used = 0, covered = 0, launched = 0;
      for (std::size_t g = 0; g < p.group_rows.size(); ++g) {
        CHECK(p.group_rows[g] == (op.group_m != nullptr ? op.group_m[g] : op.m));
        max_rows = std::max(max_rows, p.group_rows[g]);
        used += p.group_rows[g] > 0 ? 1 : 0;
      }
      for (const auto& g : p.gemms) {
        CHECK(g.n == op.n);
        CHECK(g.k == op.k);
        covered += g.groups * g.m;
        launched += g.groups;
      }
      CHECK(launched == used);
      if (op.cls == OpClass::kGroupedGemmContiguous) {
        CHECK(covered == sum(p.group_rows));  // one matmul per slot at its own count
      } else {
        REQUIRE(p.gemms.size() == 1);  // every used slot padded to the largest count
        CHECK(p.gemms[0].m == max_rows);
      }
      return sum(p.group_rows);
    }
    case OpClass::kMlaDecode: {
      CHECK(p.kind == LaunchKind::kMlaDecode);
      CHECK(p.mla.batch == op.m);
      CHECK(p.mla.heads == op.groups);
      CHECK(p.mla.d_qk == op.k);
      CHECK(p.mla.d_v == op.n);
      const double flops = 2.0 * static_cast<double>(p.mla.heads * p.mla.batch * p.mla.seqlen_k *
                                                     (p.mla.d_qk + p.mla.d_v));
      CHECK(flops == Approx(op.flops).epsilon(1e-3));
      return 0;
    }
    case OpClass::kAttentionPrefill: {
      CHECK(p.kind == LaunchKind::kPrefillAttention);
      CHECK(p.prefill.heads == op.groups);
      CHECK(p.prefill.d_qk == op.k);
      CHECK(p.prefill.d_v == op.n);
      CHECK(prefill_attention_flops(p.prefill) == Approx(op.flops).epsilon(1e-3));
      return 0;
    }
    case OpClass::kElementwise: {
      if (p.kind == LaunchKind::kCopy) {
        CHECK(p.copy_bytes % 16 == 0);
        CHECK(2.0 * static_cast<double>(p.copy_bytes) >= op.bytes);
        CHECK(2.0 * static_cast<double>(p.copy_bytes) <= op.bytes + 2 * 16 + 2);
        return 0;
      }
      const double moved = elementwise_bytes(p.elementwise);
      ElementwiseShape more = p.elementwise;
      ++more.rows;
      const double per_row = elementwise_bytes(more) - moved;
      CHECK(std::abs(moved - op.bytes) <= per_row);  // rows sized to the operator's bytes
      return 0;
    }
  }
  FAIL("unknown class");
  return 0;
}

}  // namespace

TEST_CASE("launch plans of the Day-6 decode and prefill steps match their operators") {
  const ScenarioSpec& s = day6();
  ServingSystem sys(s);
  const ModelShapes shapes(s.model);
  std::set<OpClass> seen;
  for (Phase phase : {Phase::kDecode, Phase::kPrefill}) {
    for (StepRouting routing : {StepRouting::kDrawn, StepRouting::kUniform}) {
      StepOptions o;
      o.phase = phase;
      o.routing = routing;
      const SimulatedStep st = simulated_step(sys, o);
      INFO(st.description << "; " << st.routing);
      REQUIRE(st.experts.tokens_per_slot.size() == static_cast<std::size_t>(st.unit.slots_per_gpu));
      const std::int64_t routed = st.experts.total_tokens();
      CHECK(routed > 0);
      // The MoE layer's grouped GEMMs cover the step's routed tokens, slot by slot.
      int grouped = 0;
      for (const Operator& op : st.layer_ops(shapes, true)) {
        seen.insert(op.cls);
        const std::int64_t tokens = check_plan(op, shapes);
        if (op.cls == OpClass::kGroupedGemmContiguous || op.cls == OpClass::kGroupedGemmMasked) {
          CHECK(tokens == routed);
          CHECK(op.cls == (phase == Phase::kPrefill ? OpClass::kGroupedGemmContiguous
                                                    : OpClass::kGroupedGemmMasked));
          ++grouped;
        }
      }
      CHECK(grouped == 2);  // gate/up and down
      for (const Operator& op : st.layer_ops(shapes, false)) check_plan(op, shapes);
      for (const Operator& op : st.step_ops(shapes)) {
        seen.insert(op.cls);
        check_plan(op, shapes);
      }
    }
  }
  CHECK(seen.size() == 7);  // every operator class was planned
}

TEST_CASE("decode MLA plan: the MTP tokens of a sequence share its KV pages") {
  const ScenarioSpec& s = day6();
  REQUIRE(s.decode.mtp);
  ServingSystem sys(s);
  const ModelShapes shapes(s.model);
  StepOptions o;
  o.phase = Phase::kDecode;
  o.batch_per_gpu = 128;
  const SimulatedStep st = simulated_step(sys, o);
  for (const Operator& op : st.layer_ops(shapes, true)) {
    if (op.cls != OpClass::kMlaDecode) continue;
    const KernelLaunchPlan p = plan_kernel_launch(op, shapes);
    CHECK(p.mla.batch == 128);  // 64 sequences x 2 tokens per microbatch
    CHECK(p.mla.seqlen_k == 4989);
    CHECK(p.mla_queries_per_sequence == 2);
  }
}

TEST_CASE("uneven expert slots: contiguous runs each count, masked pads to the largest") {
  const ScenarioSpec& s = day6();
  const ModelShapes shapes(s.model);
  RankBatch b;
  b.tokens = 64;
  b.sequences = 4;
  b.attended_pairs = 64.0 * 1000;
  b.kv_tokens_read = 4 * 1000;
  ExpertWork ex;
  ex.tokens_per_slot = {100, 0, 37, 100, 5};
  for (Phase phase : {Phase::kPrefill, Phase::kDecode}) {
    for (const Operator& op : layer_operators(shapes, phase, true, b, ex)) {
      if (op.cls != OpClass::kGroupedGemmContiguous && op.cls != OpClass::kGroupedGemmMasked) continue;
      const KernelLaunchPlan p = plan_kernel_launch(op, shapes);
      CHECK(sum(p.group_rows) == 242);
      if (op.cls == OpClass::kGroupedGemmContiguous) {
        REQUIRE(p.gemms.size() == 3);  // counts 5, 37 and 100 (twice)
        CHECK(p.gemms[0].m == 5);
        CHECK(p.gemms[2].m == 100);
        CHECK(p.gemms[2].groups == 2);
      } else {
        REQUIRE(p.gemms.size() == 1);
        CHECK(p.gemms[0].groups == 4);
        CHECK(p.gemms[0].m == 100);
      }
    }
  }
}
