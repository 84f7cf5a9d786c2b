// The "flow" communication cost model: EP all-to-all routed the way DeepEP routes it over the
// topology, costed either in closed form (busiest link) or by max-min fluid flows, with a few
// parameters fitted on DeepEP's published H800 rows (calibrate/comm, docs/comm-calibration.md).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sim/hw/comm_cost_model.hpp"
#include "sim/hw/cost_model_registry.hpp"
#include "sim/hw/topology.hpp"

namespace fleetsim {

// Fitted parameters (hw_profiles/*.json "comm_model"). Efficiencies scale link capacities to what
// the kernels achieve; latencies are the fixed cost of one kernel (launch, notify, barrier).
struct FlowCommParams {
  struct Normal {
    double latency_ns = 0;
    double nvlink_efficiency = 1;
    double rdma_efficiency = 1;
  };
  struct LowLatency {
    double dispatch_latency_ns = 0;
    double combine_latency_ns = 0;
    double rdma_efficiency = 1;
    double nvlink_efficiency = 1;
    bool use_nvlink = false;  // 2025-06 kernels: same-node peers over NVLink instead of the NIC
  };
  Normal normal;
  LowLatency low_latency;
  int calibrated_sms = 1;  // SMs the normal-kernel rows were measured with
  LinkLatencies links;
};

enum class CommTier : std::uint8_t { kBottleneck, kFlow };

// Reads "comm_model" (and "links") of a hardware profile; `ll_profile` is "rdma" or "nvlink".
FlowCommParams load_flow_comm_params(const HardwareSpec& hw, const std::string& ll_profile);

// Transfer times of one all-to-all if every link ran at its full nominal capacity: the busiest
// NVLink port and the busiest NIC port (each direction counted separately).
struct A2aLinkTimes {
  double nvlink_s = 0;
  double rdma_s = 0;
};

class FlowCommCostModel final : public CommCostModel {
 public:
  FlowCommCostModel(const ModelSpec& model, const HardwareSpec& hw, FlowCommParams params,
                    CommTier tier, double flow_batch_fraction);
  std::string name() const override { return "flow"; }

  // Traffic contract: for kNormal, bytes[src][dst] counts each token once per destination GPU;
  // for kLowLatency, once per (token, expert) pair (LL kernels do not deduplicate). For kCombine
  // src is the expert's GPU and dst the token's owner.
  std::int64_t all_to_all_ns(const AllToAllTraffic& traffic, A2aKind kind, A2aMode mode,
                             int comm_sms) const override;
  // Same, with the exact per-node deduplicated RDMA bytes of normal kernels: node_bytes is
  // num_gpus x num_nodes, [token owner GPU][node holding its experts]. Without it they are
  // estimated assuming uniform routing (see rdma_node_bytes_estimate).
  std::int64_t all_to_all_ns(const AllToAllTraffic& traffic, const std::vector<double>* node_bytes,
                             A2aKind kind, A2aMode mode, int comm_sms) const;
  std::int64_t kv_transfer_ns(double bytes) const override;

  // The closed-form loads the fit works from.
  A2aLinkTimes link_times(const AllToAllTraffic& traffic, const std::vector<double>* node_bytes,
                          A2aKind kind, A2aMode mode) const;
  // Time from link times with the fitted parameters (the closed-form tier).
  static double predict_s(const A2aLinkTimes& t, const FlowCommParams& p, A2aKind kind,
                          A2aMode mode, int comm_sms);
  // Per-node RDMA bytes [owner GPU][node] estimated from the GPU matrix: the owner's tokens are
  // inferred from its row under uniform top-k routing, and GPUs of a node hit independently.
  std::vector<double> rdma_node_bytes_estimate(const AllToAllTraffic& traffic, A2aKind kind) const;

  const FlowCommParams& params() const { return params_; }

 private:
  std::int64_t flow_tier_ns(const AllToAllTraffic& traffic, const std::vector<double>& node_bytes,
                            A2aKind kind, A2aMode mode, int comm_sms) const;
  const Topology& topology_for(int num_nodes) const;

  const ModelSpec& model_;
  const HardwareSpec& hw_;
  FlowCommParams params_;
  CommTier tier_;
  double flow_batch_fraction_;
  mutable std::mutex cache_mutex_;
  mutable std::map<int, std::unique_ptr<Topology>> topologies_;
};

// Registers "flow" (call from sim/hw/cost_model_registry.cpp).
void register_flow_comm_cost_model(CommCostModelRegistry& registry);

}  // namespace fleetsim
