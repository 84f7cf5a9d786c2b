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
  StepOptions resolved() const {
    StepOptions s = step;
    s.phase = phase == "prefill" ? Phase::kPrefill : Phase::kDecode;
    return s;
  }
};

void add_step_command_options(CLI::App& cmd, StepCommandOptions& o);

}  // namespace fleetsim::cli
