// CLI11 declarations of the shared step options (see step_command_options.hpp).
#include "apps/fleetsim/step_command_options.hpp"

#include "apps/fleetsim/number_option.hpp"

namespace fleetsim::cli {

void add_step_command_options(CLI::App& cmd, StepCommandOptions& o) {
  cmd.add_option("scenario", o.scenario, "scenario JSON file")->capture_default_str();
  cmd.add_option("--phase", o.phase, "prefill or decode")
      ->check(CLI::IsMember({"prefill", "decode"}))
      ->capture_default_str();
  add_number_option(cmd, "--batch-per-gpu", o.step.batch_per_gpu,
                 "decode: sequences per GPU (default: the largest meeting the speed SLO)")
      ->check(positive_number());
  add_number_option(cmd, "--kv", o.step.kv_tok, "decode: mean KV length in tokens")
      ->check(positive_number())
      ->capture_default_str();
  cmd.add_option("--set", o.overrides, "override a scenario field: path.to.field=value");
}

}  // namespace fleetsim::cli
