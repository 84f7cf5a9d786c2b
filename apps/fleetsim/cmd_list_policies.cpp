// `fleetsim list-policies`: every registered policy and model with its parameters, from the
// registries themselves (the one place each is declared).
#include <iostream>

#include "apps/fleetsim/commands.hpp"
#include "sim/hw/cost_model_registry.hpp"
#include "sim/policies/expert_placement.hpp"
#include "sim/policies/expert_router.hpp"
#include "sim/policies/load_balancer.hpp"
#include "sim/serving/autoscaler.hpp"

namespace fleetsim::cli {

namespace {
int g_exit_code = 0;

template <class R>
void print_registry(const R& reg, const char* scenario_key) {
  std::cout << "\n" << reg.kind() << "  (scenario: policies." << scenario_key << ")\n";
  for (const auto& [name, e] : reg.entries()) {
    std::cout << "  " << name << " - " << e.description << "\n";
    for (const auto& p : e.params) {
      std::cout << "      " << p.name << " (" << p.type << (p.unit.empty() ? "" : ", " + p.unit)
                << (p.default_value.is_null() ? ", required" : ", default " + p.default_value.dump())
                << "): " << p.doc << "\n";
    }
  }
}
}  // namespace

int exit_code() { return g_exit_code; }
void set_exit_code(int code) { g_exit_code = code; }

void add_list_policies_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("list-policies", "List the registered policies and models");
  cmd->callback([] {
    print_registry(prefill_balancers(), "prefill_lb");
    print_registry(decode_balancers(), "decode_lb");
    print_registry(expert_placers(), "eplb");
    print_registry(expert_routers(), "expert_routing");
    print_registry(autoscalers(), "autoscaler");
    print_registry(layer_cost_models(), "layer_cost_model");
    print_registry(comm_cost_models(), "comm_cost_model");
  });
}

}  // namespace fleetsim::cli
