// CLI11 declarations of the shared step options (see step_command_options.hpp).
#include "apps/fleetsim/step_command_options.hpp"

#include "apps/fleetsim/number_option.hpp"

namespace fleetsim::cli {

StepOptions StepCommandOptions::resolved() const {
  StepOptions s = step;
  s.phase = phase == "prefill" ? Phase::kPrefill : Phase::kDecode;
  if (s.phase == Phase::kPrefill)
    for (const CLI::Option* opt : decode_only)
      if (opt->count() > 0)
        throw ConfigError(opt->get_name(), "",
                          "expected --phase decode: a prefill step's batch is the scenario's "
                          "deployment.prefill.token_budget_per_gpu (set it with --set)");
  return s;
}

void add_step_command_options(CLI::App& cmd, StepCommandOptions& o) {
  cmd.add_option("scenario", o.scenario, "scenario JSON file")->capture_default_str();
  cmd.add_option("--phase", o.phase, "prefill or decode")
      ->check(CLI::IsMember({"prefill", "decode"}))
      ->capture_default_str();
  o.decode_only = {add_number_option(cmd, "--batch-per-gpu", o.step.batch_per_gpu,
                                     "decode: sequences per GPU (default: the largest meeting the speed SLO)")
                       ->check(positive_number()),
                   add_number_option(cmd, "--kv", o.step.kv_tok, "decode: mean KV length in tokens")
                       ->check(positive_number())
                       ->capture_default_str()};
  cmd.add_option("--set", o.overrides, "override a scenario field: path.to.field=value");
}

}  // namespace fleetsim::cli
