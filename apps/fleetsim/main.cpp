// fleetsim command-line entry point (subcommands are added as they land).
#include <CLI/CLI.hpp>
#include <iostream>

#include "fleetsim/config.hpp"

int main(int argc, char** argv) {
  CLI::App app{"fleetsim: discrete-event simulator and capacity planner for MoE inference fleets"};
  app.set_version_flag("--version", FLEETSIM_VERSION);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
