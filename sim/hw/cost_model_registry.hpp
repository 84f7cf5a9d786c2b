// Registries of the hardware cost models, selectable by name from a scenario
// (scenario.policies.layer_cost_model / comm_cost_model).
#pragma once

#include "sim/hw/comm_cost_model.hpp"
#include "sim/hw/layer_cost_model.hpp"
#include "sim/util/registry.hpp"

namespace fleetsim {

class Topology;

using LayerCostModelRegistry = Registry<LayerCostModel, const ModelSpec&, const HardwareSpec&>;
using CommCostModelRegistry = Registry<CommCostModel, const ModelSpec&, const HardwareSpec&>;

// The registries, with every built-in model registered on first use.
const LayerCostModelRegistry& layer_cost_models();
const CommCostModelRegistry& comm_cost_models();

// Registration hooks of the built-in models (called by the accessors above; explicit so that the
// linker keeps them and the set of names is testable).
void register_roofline_cost_models(LayerCostModelRegistry& layers, CommCostModelRegistry& comm);

}  // namespace fleetsim
