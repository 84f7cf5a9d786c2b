// CLI11 declarations of the shared step options (see step_command_options.hpp).
#include "apps/fleetsim/step_command_options.hpp"

#include <cmath>
#include <cstdlib>

#include "apps/fleetsim/number_option.hpp"

namespace fleetsim::cli {

namespace {

// CLI11's PositiveNumber would answer with the whole range of a double; this says what it wants.
const CLI::Validator kPositiveNumber(
    [](std::string& text) -> std::string {
      char* end = nullptr;
      const double x = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(x > 0) || !std::isfinite(x)) return "expected a number > 0, got " + text;
      return "";
    },
    "NUMBER > 0");

}  // namespace

void add_step_command_options(CLI::App& cmd, StepCommandOptions& o) {
  cmd.add_option("scenario", o.scenario, "scenario JSON file")->capture_default_str();
  cmd.add_option("--phase", o.phase, "prefill or decode")
      ->check(CLI::IsMember({"prefill", "decode"}))
      ->capture_default_str();
  add_number_option(cmd, "--batch-per-gpu", o.step.batch_per_gpu,
                 "decode: sequences per GPU (default: the largest meeting the speed SLO)")
      ->check(kPositiveNumber);
  add_number_option(cmd, "--kv", o.step.kv_tok, "decode: mean KV length in tokens")
      ->check(kPositiveNumber)
      ->capture_default_str();
  cmd.add_option("--set", o.overrides, "override a scenario field: path.to.field=value");
}

}  // namespace fleetsim::cli
