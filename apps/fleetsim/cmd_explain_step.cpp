// `fleetsim explain-step SCENARIO --phase prefill|decode`: one step of the scenario's unit shape
// on one GPU, operator by operator (time, FLOPs, bytes, bound), then the stage times, the
// all-to-all, the overlap pipeline per layer and the whole step.
#include <cstdio>

#include "apps/fleetsim/commands.hpp"
#include "apps/fleetsim/step_command_options.hpp"
#include "sim/hw/kernel_cost_model.hpp"

namespace fleetsim::cli {

namespace {

void print_ns(const char* what, TimeNs ns) { std::printf("  %-34s %10.1f us\n", what, ns / 1e3); }

// The rows of one stage kind from explain_step: the layer's (step == false) or the step operators'.
std::vector<ExplainRow> rows_of(std::vector<ExplainRow> rows, bool step) {
  std::erase_if(rows, [&](const ExplainRow& r) { return (r.stage == to_string(OpStage::kStep)) != step; });
  return rows;
}

void explain(const StepCommandOptions& o) {
  const ScenarioSpec s = load_scenario(o.scenario, o.overrides);
  ServingSystem sys(s);
  const SimulatedStep st = simulated_step(sys, o.resolved());
  const bool decode = st.phase == Phase::kDecode;
  const UnitSpec& u = st.unit;
  const StepTimer& timer = decode ? sys.decode_timer() : sys.prefill_timer();
  const StepQuery& q = st.query;
  const SmSplit sms = st.sms;
  std::printf("%s\n", st.description.c_str());
  const StepResult r = timer.step(q);
  // Layer operators for one microbatch; the step operators for both, as the StepTimer costs them.
  auto rows = rows_of(explain_step(s.model, s.hardware, st.phase, q.max_rank_mb, st.experts, sms,
                                   true, q.logit_tokens),
                      false);
  const auto step_rows = rows_of(explain_step(s.model, s.hardware, st.phase, st.step_batch,
                                              st.experts, sms, true, q.logit_tokens),
                                 true);
  rows.insert(rows.end(), step_rows.begin(), step_rows.end());
  std::printf("\nOne MoE layer, one microbatch, on the busiest GPU (%d compute SMs), then the step's "
              "own operators:\n", sms.compute_sms);
  std::printf("  %-28s %-7s %-8s %8s %8s %8s %11s %11s %10s\n", "operator", "stage", "bound", "M", "N",
              "K", "GFLOP", "MB", "time us");
  for (const auto& row : rows)
    std::printf("  %-28s %-7s %-8s %8lld %8lld %8lld %11.3f %11.3f %10.1f\n", row.name.c_str(),
                row.stage.c_str(), row.bound.c_str(), static_cast<long long>(row.m),
                static_cast<long long>(row.n), static_cast<long long>(row.k), row.flops / 1e9,
                row.bytes / 1e6, row.time_ns / 1e3);
  std::printf("\nStage times per microbatch (MoE layer):\n");
  const auto& m = r.moe.mb[0];
  if (decode) {
    print_ns("ATTN-0", m.attn0_ns);
    print_ns("ATTN-1", m.attn1_ns);
  } else {
    print_ns("ATTN", m.attn_ns);
  }
  print_ns("SHARED", m.shared_ns);
  print_ns("MLP (routed experts)", m.mlp_ns);
  print_ns("DISPATCH", r.moe.dispatch_ns[0]);
  print_ns("COMBINE", r.moe.combine_ns[0]);
  std::printf("\nPer layer (%s, 2 microbatches):\n", u.overlap ? "overlapped" : "no overlap");
  print_ns("dense layer", r.dense_layer_ns);
  print_ns("MoE layer", r.moe_layer_ns);
  std::printf("\nStep: %d dense + %d MoE layers + step operators\n", s.model.num_dense_layers,
              s.model.num_moe_layers());
  print_ns("step operators (embed, head, MTP)", r.overhead_ns);
  print_ns("step total", r.total_ns);
  const double step_s = ns_to_seconds(r.total_ns);
  const double per_gpu_tokens = st.per_gpu_tokens;
  if (decode) {
    std::printf("  => %.1f tok/s per stream, %.0f output tok/s per GPU, %.0f per node\n",
                sys.decode_tokens_per_step() / step_s, per_gpu_tokens / step_s,
                per_gpu_tokens / step_s * s.hardware.gpus_per_node);
  } else {
    std::printf("  => %.0f computed tok/s per GPU, %.0f per node\n", per_gpu_tokens / step_s,
                per_gpu_tokens / step_s * s.hardware.gpus_per_node);
  }
}

}  // namespace

void add_explain_step_command(CLI::App& app) {
  auto o = std::make_shared<StepCommandOptions>();
  auto* cmd = app.add_subcommand("explain-step", "Break one prefill or decode step down by operator");
  add_step_command_options(*cmd, *o);
  cmd->callback([o] { explain(*o); });
}

}  // namespace fleetsim::cli
