// Builds the cost-model registries once, from each model's registration hook.
#include "sim/hw/cost_model_registry.hpp"

#include "sim/hw/flow_comm_cost_model.hpp"
#include "sim/hw/kernel_cost_model.hpp"
#include "sim/hw/measured_layer_cost_model.hpp"

namespace fleetsim {

namespace {
struct Registries {
  LayerCostModelRegistry layers{"layer cost model"};
  CommCostModelRegistry comm{"communication cost model"};
  Registries() {
    register_roofline_cost_models(layers, comm);
    register_flow_comm_cost_model(comm);
    register_calibrated_cost_model(layers);
    register_measured_cost_model(layers);
  }
};
Registries& registries() {
  static Registries r;
  return r;
}
}  // namespace

const LayerCostModelRegistry& layer_cost_models() { return registries().layers; }
const CommCostModelRegistry& comm_cost_models() { return registries().comm; }

}  // namespace fleetsim
