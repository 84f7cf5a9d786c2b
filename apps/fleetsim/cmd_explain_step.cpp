// `fleetsim explain-step SCENARIO --phase prefill|decode`: one step of the scenario's unit shape
// on one GPU, operator by operator (time, FLOPs, bytes, bound), then the stage times, the
// all-to-all, the overlap pipeline per layer and the whole step.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "apps/fleetsim/commands.hpp"
#include "sim/hw/kernel_cost_model.hpp"
#include "sim/serving/serving_system.hpp"

namespace fleetsim::cli {

namespace {

struct ExplainOptions {
  std::string scenario = "scenarios/deepseek-v3-r1-day.json";
  std::string phase = "decode";
  std::vector<std::string> overrides;
  double batch_per_gpu = 0;  // decode: sequences per GPU (0: the SLO batch at the KV length)
  double kv_tok = 4989;      // decode: mean KV length (Day-6 average per output token)
  bool json = false;
};

void print_ns(const char* what, TimeNs ns) { std::printf("  %-34s %10.1f us\n", what, ns / 1e3); }

void explain(const ExplainOptions& o) {
  const ScenarioSpec s = load_scenario(o.scenario, o.overrides);
  ServingSystem sys(s);
  const bool decode = o.phase == "decode";
  const UnitSpec& u = decode ? s.decode : s.prefill;
  const StepTimer& timer = decode ? sys.decode_timer() : sys.prefill_timer();
  StepQuery q;
  double per_gpu_tokens = 0;
  if (decode) {
    double b = o.batch_per_gpu;
    if (b <= 0) b = sys.decode_unit_streams_at_slo(o.kv_tok) / u.gpus_per_unit;
    const double tok_per_seq = u.mtp ? 2.0 : 1.0;
    const double mb = std::ceil(b / 2);
    q.max_rank_mb.sequences = static_cast<std::int64_t>(mb);
    q.max_rank_mb.tokens = static_cast<std::int64_t>(mb * tok_per_seq);
    q.max_rank_mb.kv_tokens_read = mb * o.kv_tok;
    q.max_rank_mb.attended_pairs = mb * tok_per_seq * o.kv_tok;
    q.unit_tokens_mb = b / 2 * tok_per_seq * u.gpus_per_unit;
    q.logit_tokens = static_cast<std::int64_t>(b * tok_per_seq);
    per_gpu_tokens = b * sys.decode_tokens_per_step();
    std::printf("decode step, %d GPUs (EP%d), %.0f sequences per GPU, KV %.0f tokens, MTP %s\n",
                u.gpus_per_unit, u.ep_degree, b, o.kv_tok, u.mtp ? "on" : "off");
  } else {
    const double budget = static_cast<double>(u.token_budget_per_gpu);
    const double cached = s.workload.input.mean * s.workload.cache_hit_share;
    const double computed = s.workload.input.mean - cached;
    q.max_rank_mb.tokens = static_cast<std::int64_t>(budget / 2);
    q.max_rank_mb.sequences = static_cast<std::int64_t>(std::ceil(budget / 2 / computed));
    q.max_rank_mb.attended_pairs = budget / 2 * (cached + computed / 2);
    q.unit_tokens_mb = budget / 2 * u.gpus_per_unit;
    q.logit_tokens = q.max_rank_mb.sequences * 2;
    per_gpu_tokens = budget;
    std::printf("prefill step, %d GPUs (EP%d), %.0f computed tokens per GPU, mean prompt %.0f "
                "(%.0f cached)\n", u.gpus_per_unit, u.ep_degree, budget, computed + cached, cached);
  }
  const StepResult r = timer.step(q);
  const SmSplit sms{u.overlap ? s.hardware.gpu.sm_count - u.comm_sms : s.hardware.gpu.sm_count, u.comm_sms};
  ExpertWork ex;
  const double gpu_tokens = q.unit_tokens_mb * s.model.moe.top_k / u.gpus_per_unit * timer.expert_imbalance();
  ex.tokens_per_slot.assign(static_cast<std::size_t>(u.slots_per_gpu),
                            static_cast<std::int64_t>(std::ceil(gpu_tokens / u.slots_per_gpu)));
  const auto rows = explain_step(s.model, s.hardware, decode ? Phase::kDecode : Phase::kPrefill,
                                 q.max_rank_mb, ex, sms, true, q.logit_tokens);
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
  auto o = std::make_shared<ExplainOptions>();
  auto* cmd = app.add_subcommand("explain-step", "Break one prefill or decode step down by operator");
  cmd->add_option("scenario", o->scenario, "scenario JSON file")->capture_default_str();
  cmd->add_option("--phase", o->phase, "prefill or decode")->check(CLI::IsMember({"prefill", "decode"}))
      ->capture_default_str();
  cmd->add_option("--batch-per-gpu", o->batch_per_gpu,
                  "decode: sequences per GPU (default: the largest meeting the speed SLO)");
  cmd->add_option("--kv", o->kv_tok, "decode: mean KV length in tokens")->capture_default_str();
  cmd->add_option("--set", o->overrides, "override a scenario field: path.to.field=value");
  cmd->callback([o] { explain(*o); });
}

}  // namespace fleetsim::cli
