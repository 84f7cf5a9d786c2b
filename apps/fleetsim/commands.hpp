// The subcommands of the fleetsim program; each lives in its own cmd_*.cpp and adds itself to
// the CLI11 app. main.cpp only calls these.
#pragma once

#include <CLI/CLI.hpp>

namespace fleetsim::cli {

// Exit code for bad input (a ConfigError): distinct from a crash or a failed check.
inline constexpr int kExitBadInput = 2;

void add_run_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_explain_step_command(CLI::App& app);
void add_list_policies_command(CLI::App& app);

}  // namespace fleetsim::cli
