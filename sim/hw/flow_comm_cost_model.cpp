// The "flow" communication cost model. Closed-form tier: the all-to-all ends when the busiest
// NVLink or NIC port has moved its bytes, which is exactly the max-min completion time when the
// traffic is uniform and a lower bound otherwise; the flow tier runs the max-min fluid simulation
// over the same routes. The closed form is the default because a simulated day calls it millions
// of times (O(num_gpus^2) per call, no allocation beyond four per-GPU arrays).
#include "sim/hw/flow_comm_cost_model.hpp"

#include <algorithm>
#include <cmath>

#include "sim/hw/flow_model.hpp"

namespace fleetsim {

namespace {

struct PortLoads {
  std::vector<double> nvl_out, nvl_in, nic_out, nic_in;
  explicit PortLoads(int n)
      : nvl_out(static_cast<std::size_t>(n), 0.0),
        nvl_in(static_cast<std::size_t>(n), 0.0),
        nic_out(static_cast<std::size_t>(n), 0.0),
        nic_in(static_cast<std::size_t>(n), 0.0) {}
};

// One leg of a DeepEP route, for both tiers: bytes from GPU a to GPU b over NVLink or the NICs.
struct Leg {
  int from;
  int to;
  bool rdma;
  double bytes;
};

int num_nodes_of(const AllToAllTraffic& t, int gpus_per_node) {
  return (t.num_gpus + gpus_per_node - 1) / gpus_per_node;
}

// Expands the traffic into legs following the route DeepEP takes in each mode.
template <class Emit>
void for_each_leg(const AllToAllTraffic& t, const std::vector<double>& node_bytes, int G,
                  A2aKind kind, A2aMode mode, bool ll_nvlink, Emit&& emit) {
  const int n = t.num_gpus;
  const int nodes = num_nodes_of(t, G);
  auto node = [G](int g) { return g / G; };
  auto local = [G](int g) { return g % G; };
  for (int s = 0; s < n; ++s) {
    for (int d = 0; d < n; ++d) {
      const double b = t.at(s, d);
      if (s == d || !(b > 0)) continue;
      const bool same_node = node(s) == node(d);
      if (mode == A2aMode::kLowLatency) {
        emit(Leg{s, d, !(same_node && ll_nvlink), b});
        continue;
      }
      if (same_node) {
        emit(Leg{s, d, false, b});
        continue;
      }
      // Normal kernels: the NVLink fan-out (dispatch) or fan-in (combine) next to the rail GPU.
      if (kind == A2aKind::kDispatch) {
        const int rail = node(d) * G + local(s);
        if (rail < n && rail != d) emit(Leg{rail, d, false, b});
      } else {
        const int rail = node(s) * G + local(d);
        if (rail < n && rail != s) emit(Leg{s, rail, false, b});
      }
    }
  }
  if (mode == A2aMode::kLowLatency) return;
  // Normal kernels: one RDMA copy per (token, remote node) between same-rank GPUs.
  for (int o = 0; o < n; ++o) {
    for (int b = 0; b < nodes; ++b) {
      if (b == node(o)) continue;
      const double u = node_bytes[static_cast<std::size_t>(o) * nodes + b];
      if (!(u > 0)) continue;
      int rail = b * G + local(o);
      if (rail >= n) rail = b * G;  // a partial last node: its first GPU takes the rail
      if (kind == A2aKind::kDispatch) {
        emit(Leg{o, rail, true, u});
      } else {
        emit(Leg{rail, o, true, u});
      }
    }
  }
}

}  // namespace

FlowCommParams load_flow_comm_params(const HardwareSpec& hw, const std::string& ll_profile) {
  FlowCommParams p;
  const JsonReader root(hw.document, hw.file);
  const JsonReader c = root.at("comm_model");
  c.only_keys({"source", "fitted_on", "command", "calibrated_sms", "normal", "low_latency",
               "low_latency_nvlink", "leave_one_out"});
  p.calibrated_sms = c.positive_int32("calibrated_sms");
  const JsonReader n = c.at("normal");
  p.normal.latency_ns = n.number_in("latency_ns", 0, kMaxLatencyNs);
  p.normal.nvlink_efficiency = n.number_in("nvlink_efficiency", kMinEfficiency, kMaxEfficiency);
  p.normal.rdma_efficiency = n.number_in("rdma_efficiency", kMinEfficiency, kMaxEfficiency);
  if (ll_profile != "rdma" && ll_profile != "nvlink") {
    throw ConfigError(hw.file, "/comm_model", "low-latency profile 'rdma' or 'nvlink', got '" +
                                                  ll_profile + "'");
  }
  // Every low-latency fit present is checked, so a broken one is reported before a what-if
  // selects it; the selected one must be present.
  auto read_low_latency = [&](const JsonReader& l, bool nvl) {
    FlowCommParams::LowLatency ll;
    ll.dispatch_latency_ns = l.number_in("dispatch_latency_ns", 0, kMaxLatencyNs);
    ll.combine_latency_ns = l.number_in("combine_latency_ns", 0, kMaxLatencyNs);
    ll.rdma_efficiency = l.number_in("rdma_efficiency", kMinEfficiency, kMaxEfficiency);
    ll.use_nvlink = nvl;
    if (nvl) ll.nvlink_efficiency = l.number_in("nvlink_efficiency", kMinEfficiency, kMaxEfficiency);
    return ll;
  };
  const bool nvl = ll_profile == "nvlink";
  p.low_latency = read_low_latency(c.at(nvl ? "low_latency_nvlink" : "low_latency"), nvl);
  if (auto other = c.maybe(nvl ? "low_latency" : "low_latency_nvlink")) read_low_latency(*other, !nvl);
  if (auto links = root.maybe("links")) {
    links->only_keys({"nvlink_latency_ns", "nic_port_latency_ns", "infiniband_latency_ns", "source"});
    auto latency_ns = [&](const char* key) {
      const std::int64_t ns = links->non_negative_int(key);
      if (static_cast<double>(ns) > kMaxLatencyNs) links->at(key).fail("an integer in [0, 1000000000]");
      return ns;
    };
    p.links.nvlink_ns = latency_ns("nvlink_latency_ns");
    p.links.nic_port_ns = latency_ns("nic_port_latency_ns");
    p.links.infiniband_ns = latency_ns("infiniband_latency_ns");
  }
  return p;
}

FlowCommCostModel::FlowCommCostModel(const ModelSpec& model, const HardwareSpec& hw,
                                     FlowCommParams params, CommTier tier,
                                     double flow_batch_fraction)
    : model_(model), hw_(hw), params_(params), tier_(tier), flow_batch_fraction_(flow_batch_fraction) {}

std::vector<double> FlowCommCostModel::rdma_node_bytes_estimate(const AllToAllTraffic& t,
                                                                A2aKind kind) const {
  const int G = hw_.gpus_per_node;
  const int n = t.num_gpus;
  const int nodes = num_nodes_of(t, G);
  std::vector<double> out(static_cast<std::size_t>(n) * nodes, 0.0);
  // Probability that a token hits a given GPU under uniform top-k routing over E experts.
  const double E = model_.moe.num_routed_experts;
  const double per_gpu = E / n;
  double miss = 1.0;
  for (int i = 0; i < model_.moe.top_k; ++i) miss *= std::max(0.0, 1.0 - per_gpu / (E - i));
  const double q = 1.0 - miss;
  auto bytes = [&](int owner, int peer) {
    return kind == A2aKind::kDispatch ? t.at(owner, peer) : t.at(peer, owner);
  };
  for (int o = 0; o < n; ++o) {
    double total = 0, largest = 0;
    for (int d = 0; d < n; ++d) {
      total += bytes(o, d);
      largest = std::max(largest, bytes(o, d));
    }
    if (!(total > 0)) continue;
    const double tokens = std::max(largest, total / (n * q));
    for (int b = 0; b < nodes; ++b) {
      if (b == o / G) continue;
      double none = 1.0, sum = 0, top = 0;
      for (int m = b * G; m < std::min(n, (b + 1) * G); ++m) {
        const double x = bytes(o, m);
        none *= std::max(0.0, 1.0 - x / tokens);
        sum += x;
        top = std::max(top, x);
      }
      out[static_cast<std::size_t>(o) * nodes + b] = std::clamp(tokens * (1.0 - none), top, sum);
    }
  }
  return out;
}

A2aLinkTimes FlowCommCostModel::link_times(const AllToAllTraffic& t,
                                           const std::vector<double>* node_bytes, A2aKind kind,
                                           A2aMode mode) const {
  std::vector<double> estimate;
  if (mode == A2aMode::kNormal && node_bytes == nullptr) {
    estimate = rdma_node_bytes_estimate(t, kind);
    node_bytes = &estimate;
  }
  static const std::vector<double> kNone;
  PortLoads p(t.num_gpus);
  for_each_leg(t, node_bytes ? *node_bytes : kNone, hw_.gpus_per_node, kind, mode,
               params_.low_latency.use_nvlink, [&](const Leg& l) {
                 const auto a = static_cast<std::size_t>(l.from);
                 const auto b = static_cast<std::size_t>(l.to);
                 (l.rdma ? p.nic_out : p.nvl_out)[a] += l.bytes;
                 (l.rdma ? p.nic_in : p.nvl_in)[b] += l.bytes;
               });
  double nvl = 0, nic = 0;
  for (std::size_t g = 0; g < p.nvl_out.size(); ++g) {
    nvl = std::max({nvl, p.nvl_out[g], p.nvl_in[g]});
    nic = std::max({nic, p.nic_out[g], p.nic_in[g]});
  }
  return {nvl / hw_.nvlink_bytes_per_s, nic / (hw_.nic_bytes_per_s * hw_.nics_per_gpu)};
}

double FlowCommCostModel::predict_s(const A2aLinkTimes& t, const FlowCommParams& p, A2aKind kind,
                                    A2aMode mode, int comm_sms) {
  if (mode == A2aMode::kLowLatency) {
    const auto& l = p.low_latency;
    const double lat = kind == A2aKind::kDispatch ? l.dispatch_latency_ns : l.combine_latency_ns;
    return lat * 1e-9 + std::max(t.nvlink_s / l.nvlink_efficiency, t.rdma_s / l.rdma_efficiency);
  }
  // Normal kernels move data with their SMs; fewer SMs than calibrated slow them proportionally,
  // more do not help past the links (assumption, see docs/comm-calibration.md).
  const double sm_scale = std::min(1.0, std::max(1, comm_sms) / static_cast<double>(p.calibrated_sms));
  const auto& n = p.normal;
  return n.latency_ns * 1e-9 + std::max(t.nvlink_s / (n.nvlink_efficiency * sm_scale),
                                        t.rdma_s / (n.rdma_efficiency * sm_scale));
}

const Topology& FlowCommCostModel::topology_for(int num_nodes) const {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  auto& slot = topologies_[num_nodes];
  if (!slot) slot = std::make_unique<Topology>(hw_, num_nodes, params_.links);
  return *slot;
}

std::int64_t FlowCommCostModel::flow_tier_ns(const AllToAllTraffic& t,
                                             const std::vector<double>& node_bytes, A2aKind kind,
                                             A2aMode mode, int comm_sms) const {
  const Topology& topo = topology_for(num_nodes_of(t, hw_.gpus_per_node));
  double nvl_eff = params_.low_latency.nvlink_efficiency;
  double rdma_eff = params_.low_latency.rdma_efficiency;
  TimeNs latency_ns = static_cast<TimeNs>(kind == A2aKind::kDispatch
                                              ? params_.low_latency.dispatch_latency_ns
                                              : params_.low_latency.combine_latency_ns);
  if (mode == A2aMode::kNormal) {
    const double sm_scale =
        std::min(1.0, std::max(1, comm_sms) / static_cast<double>(params_.calibrated_sms));
    nvl_eff = params_.normal.nvlink_efficiency * sm_scale;
    rdma_eff = params_.normal.rdma_efficiency * sm_scale;
    latency_ns = static_cast<TimeNs>(params_.normal.latency_ns);
  }
  std::vector<double> cap = topo.link_capacities_bytes_per_s();
  for (int i = 0; i < topo.num_links(); ++i) {
    cap[static_cast<std::size_t>(i)] *= topo.link(i).kind == LinkKind::kNvlink ? nvl_eff : rdma_eff;
  }
  std::vector<Flow> flows;
  // Legs of DeepEP's chunked pipeline run concurrently, so every leg starts at 0.
  for_each_leg(t, node_bytes, hw_.gpus_per_node, kind, mode, params_.low_latency.use_nvlink,
               [&](const Leg& l) {
                 Flow f;
                 if (l.rdma && topo.node_of(l.from) == topo.node_of(l.to)) {
                   // Pure-RDMA LL kernels loop same-node peers through the NIC as well.
                   const int k = (l.from + l.to) % topo.nics_per_gpu();
                   f.links = {topo.nic_port_up(l.from, k), topo.ib_up(l.from, k),
                              topo.ib_down(l.to, k), topo.nic_port_down(l.to, k)};
                 } else {
                   f.links = topo.route(l.from, l.to, RoutePolicy::kDirect);
                 }
                 f.bytes = l.bytes;
                 flows.push_back(std::move(f));
               });
  const FlowResult r = FlowModel(std::move(cap)).run(flows, flow_batch_fraction_);
  return latency_ns + r.makespan_ns;
}

std::int64_t FlowCommCostModel::all_to_all_ns(const AllToAllTraffic& t,
                                              const std::vector<double>* node_bytes, A2aKind kind,
                                              A2aMode mode, int comm_sms) const {
  if (t.num_gpus <= 0) return 0;
  if (tier_ == CommTier::kFlow) {
    std::vector<double> estimate;
    if (mode == A2aMode::kNormal && node_bytes == nullptr) {
      estimate = rdma_node_bytes_estimate(t, kind);
      node_bytes = &estimate;
    }
    static const std::vector<double> kNone;
    return flow_tier_ns(t, node_bytes ? *node_bytes : kNone, kind, mode, comm_sms);
  }
  return seconds_to_ns(predict_s(link_times(t, node_bytes, kind, mode), params_, kind, mode, comm_sms));
}

std::int64_t FlowCommCostModel::all_to_all_ns(const AllToAllTraffic& t, A2aKind kind, A2aMode mode,
                                              int comm_sms) const {
  return all_to_all_ns(t, nullptr, kind, mode, comm_sms);
}

std::int64_t FlowCommCostModel::kv_transfer_ns(double bytes) const {
  // One RDMA flow between GPUs of different units: NIC-bound at the normal kernels' efficiency.
  const TimeNs hops_ns = 2 * (params_.links.nic_port_ns + params_.links.infiniband_ns);
  return hops_ns + transfer_time_ns(bytes, hw_.nic_bytes_per_s * params_.normal.rdma_efficiency);
}

void register_flow_comm_cost_model(CommCostModelRegistry& registry) {
  registry.add(
      {"flow",
       "DeepEP-routed all-to-all over the NVLink/InfiniBand topology, calibrated on DeepEP rows",
       {{"tier", "string", "",
         "bottleneck",
         "'bottleneck' (closed form: busiest link) or 'flow' (max-min fluid flows)"},
        {"low_latency_profile", "string", "", "rdma",
         "LL kernels: 'rdma' (2025-02, pure RDMA) or 'nvlink' (2025-06, NVLink inside a node)"},
        {"flow_batch_fraction", "fraction", "", 0.01,
         "flow tier: flows finishing within this fraction of each other finish together"}},
       [](const Params& p, const ModelSpec& m, const HardwareSpec& h) -> std::unique_ptr<CommCostModel> {
         const std::string tier = p.string("tier");
         if (tier != "bottleneck" && tier != "flow") {
           throw ConfigError(p.file(), p.path() + "/tier", "'bottleneck' or 'flow', got '" + tier + "'");
         }
         return std::make_unique<FlowCommCostModel>(
             m, h, load_flow_comm_params(h, p.string("low_latency_profile")),
             tier == "flow" ? CommTier::kFlow : CommTier::kBottleneck,
             p.number("flow_batch_fraction"));
       }});
}

}  // namespace fleetsim
