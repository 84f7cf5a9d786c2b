// The options explain-step and validate-step share: which scenario, which phase, and the decode
// operating point (batch per GPU, KV length), turned into the StepOptions of a simulated step.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "calibrate/step/simulated_step.hpp"

namespace fleetsim::cli {

struct StepCommandOptions {
  std::string scenario = "scenarios/deepseek-v3-r1-day.json";
  std::string phase = "decode";
  std::vector<std::string> overrides;
  StepOptions step;
  // The decode operating point's options, to refuse them on a prefill step (whose batch is the
  // scenario's token budget) rather than ignore them.
  std::vector<const CLI::Option*> decode_only;
  StepOptions resolved() const;
};

void add_step_command_options(CLI::App& cmd, StepCommandOptions& o);

}  // namespace fleetsim::cli
