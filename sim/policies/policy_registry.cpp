// Builds the policy registries once, from each policy's registration hook.
#include "sim/policies/expert_placement.hpp"
#include "sim/policies/expert_router.hpp"
#include "sim/policies/load_balancer.hpp"

namespace fleetsim {

namespace {
struct Registries {
  LoadBalancerRegistry prefill{"prefill load balancer"};
  LoadBalancerRegistry decode{"decode load balancer"};
  ExpertPlacerRegistry placers{"expert placer"};
  ExpertRouterRegistry routers{"expert router"};
  Registries() {
    register_baseline_balancers(prefill);
    register_baseline_balancers(decode);
    register_attention_balanced(prefill);
    register_kv_balanced(decode);
    register_expert_placers(placers);
    register_expert_routers(routers);
  }
};
Registries& registries() {
  static Registries r;
  return r;
}
}  // namespace

const LoadBalancerRegistry& prefill_balancers() { return registries().prefill; }
const LoadBalancerRegistry& decode_balancers() { return registries().decode; }
const ExpertPlacerRegistry& expert_placers() { return registries().placers; }
const ExpertRouterRegistry& expert_routers() { return registries().routers; }

}  // namespace fleetsim
