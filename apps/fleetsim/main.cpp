// fleetsim command-line entry point: parses the subcommand and maps errors to exit codes
// (2: bad input, with a message naming file, JSON path and expected form; 3: no CUDA device for
// a command that needs one; 1: failure).
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "apps/fleetsim/commands.hpp"
#include "fleetsim/config.hpp"
#include "sim/util/config_error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"fleetsim: discrete-event simulator and capacity planner for MoE inference fleets"};
  app.set_version_flag("--version", FLEETSIM_VERSION);
  app.require_subcommand(1);
  fleetsim::cli::add_run_command(app);
  fleetsim::cli::add_list_policies_command(app);
  fleetsim::cli::add_sweep_command(app);
  fleetsim::cli::add_regress_command(app);
  fleetsim::cli::add_plan_command(app);
  fleetsim::cli::add_explain_step_command(app);
  fleetsim::cli::add_validate_step_command(app);
  fleetsim::cli::add_calibrate_command(app);
  fleetsim::cli::add_validate_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a ParseError that exits 0; any other bad command line is bad input, as a bad file.
    return app.exit(e) == 0 ? 0 : fleetsim::cli::kExitBadInput;
  } catch (const fleetsim::ConfigError& e) {
    std::cerr << "fleetsim: error: " << e.what() << "\n";
    return fleetsim::cli::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "fleetsim: failed: " << e.what() << "\n";
    return 1;
  }
  return fleetsim::cli::exit_code();
}
