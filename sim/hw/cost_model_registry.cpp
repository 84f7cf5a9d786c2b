// Builds the cost-model registries once, from each model's registration hook.
#include "sim/hw/cost_model_registry.hpp"

namespace fleetsim {

namespace {
struct Registries {
  LayerCostModelRegistry layers{"layer cost model"};
  CommCostModelRegistry comm{"communication cost model"};
  Registries() { register_roofline_cost_models(layers, comm); }
};
Registries& registries() {
  static Registries r;
  return r;
}
}  // namespace

const LayerCostModelRegistry& layer_cost_models() { return registries().layers; }
const CommCostModelRegistry& comm_cost_models() { return registries().comm; }

}  // namespace fleetsim
