// The subcommands of the fleetsim program; each lives in its own cmd_*.cpp and adds itself to
// the CLI11 app (its callback runs the command). main.cpp only calls these.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "sim/util/text_file.hpp"

namespace fleetsim::cli {

// Exit code for bad input (a ConfigError): distinct from a crash or a failed check.
inline constexpr int kExitBadInput = 2;
// Exit code when a command needs a CUDA device and there is none (as fleetsim_microbench).
inline constexpr int kExitNoDevice = 3;

// A command's callback sets the process exit code here (0 unless it says otherwise).
int exit_code();
void set_exit_code(int code);

// Output files go through sim/util/text_file.hpp (create_output_dir, write_text_file_in):
// checked, byte for byte.

void add_run_command(CLI::App& app);
void add_list_policies_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_regress_command(CLI::App& app);
void add_plan_command(CLI::App& app);
void add_explain_step_command(CLI::App& app);
void add_validate_step_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_validate_command(CLI::App& app);

}  // namespace fleetsim::cli
