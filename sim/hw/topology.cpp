// Builds the cluster graph and answers route queries with fixed, explicit paths (no search), so
// that routes are deterministic and cheap.
#include "sim/hw/topology.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace fleetsim {

Topology::Topology(int num_nodes, int gpus_per_node, int nics_per_gpu, double nvlink_bytes_per_s,
                   double nic_bytes_per_s, LinkLatencies lat)
    : num_nodes_(num_nodes), gpus_per_node_(gpus_per_node), nics_per_gpu_(nics_per_gpu) {
  if (num_nodes < 1 || gpus_per_node < 1 || nics_per_gpu < 1 || !(nvlink_bytes_per_s > 0) ||
      !(nic_bytes_per_s > 0)) {
    throw std::invalid_argument("Topology: counts must be >= 1 and bandwidths > 0");
  }
  const int gpus = num_gpus();
  std::vector<int> gpu_v(static_cast<std::size_t>(gpus));
  for (int g = 0; g < gpus; ++g) gpu_v[static_cast<std::size_t>(g)] = add_vertex(VertexKind::kGpu, node_of(g), g);
  std::vector<int> sw_v(static_cast<std::size_t>(num_nodes));
  for (int n = 0; n < num_nodes; ++n) sw_v[static_cast<std::size_t>(n)] = add_vertex(VertexKind::kNvSwitch, n, n);
  const int fabric = add_vertex(VertexKind::kFabric, -1, 0);

  nvl_up_.resize(static_cast<std::size_t>(gpus));
  nvl_down_.resize(static_cast<std::size_t>(gpus));
  const std::size_t nics = static_cast<std::size_t>(gpus) * static_cast<std::size_t>(nics_per_gpu);
  nic_up_.resize(nics);
  nic_down_.resize(nics);
  ib_up_.resize(nics);
  ib_down_.resize(nics);
  for (int g = 0; g < gpus; ++g) {
    const auto gi = static_cast<std::size_t>(g);
    const int sw = sw_v[static_cast<std::size_t>(node_of(g))];
    nvl_up_[gi] = add_link(gpu_v[gi], sw, LinkKind::kNvlink, nvlink_bytes_per_s, lat.nvlink_ns);
    nvl_down_[gi] = add_link(sw, gpu_v[gi], LinkKind::kNvlink, nvlink_bytes_per_s, lat.nvlink_ns);
    for (int k = 0; k < nics_per_gpu; ++k) {
      const std::size_t ni = nic_index(g, k);
      const int nic = add_vertex(VertexKind::kNic, node_of(g), static_cast<int>(ni));
      // The GPU-NIC hop is a dedicated PCIe path; the NIC port, not PCIe, limits it.
      nic_up_[ni] = add_link(gpu_v[gi], nic, LinkKind::kNicPort, nic_bytes_per_s, lat.nic_port_ns);
      nic_down_[ni] = add_link(nic, gpu_v[gi], LinkKind::kNicPort, nic_bytes_per_s, lat.nic_port_ns);
      ib_up_[ni] = add_link(nic, fabric, LinkKind::kInfiniband, nic_bytes_per_s, lat.infiniband_ns);
      ib_down_[ni] = add_link(fabric, nic, LinkKind::kInfiniband, nic_bytes_per_s, lat.infiniband_ns);
    }
  }
}

Topology::Topology(const HardwareSpec& hw, int num_nodes, LinkLatencies latencies)
    : Topology(num_nodes, hw.gpus_per_node, hw.nics_per_gpu, hw.nvlink_bytes_per_s,
               hw.nic_bytes_per_s, latencies) {}

int Topology::add_vertex(VertexKind kind, int node, int index) {
  return static_cast<int>(boost::add_vertex(TopologyVertex{kind, node, index}, graph_));
}

int Topology::add_link(int from, int to, LinkKind kind, double bytes_per_s, TimeNs latency_ns) {
  TopologyLink l{static_cast<int>(links_.size()), from, to, kind, bytes_per_s, latency_ns};
  boost::add_edge(static_cast<Graph::vertex_descriptor>(from),
                  static_cast<Graph::vertex_descriptor>(to), l, graph_);
  links_.push_back(l);
  return l.id;
}

std::vector<double> Topology::link_capacities_bytes_per_s() const {
  std::vector<double> c(links_.size());
  for (std::size_t i = 0; i < links_.size(); ++i) c[i] = links_[i].bytes_per_s;
  return c;
}

void Topology::append_nvlink(Route& r, int a, int b) const {
  if (a == b) return;
  r.push_back(nvlink_up(a));
  r.push_back(nvlink_down(b));
}

void Topology::append_direct(Route& r, int a, int b) const {
  const int k = (a + b) % nics_per_gpu_;
  r.push_back(nic_port_up(a, k));
  r.push_back(ib_up(a, k));
  r.push_back(ib_down(b, k));
  r.push_back(nic_port_down(b, k));
}

Route Topology::route(int a, int b, RoutePolicy policy) const {
  if (a < 0 || b < 0 || a >= num_gpus() || b >= num_gpus()) {
    throw std::out_of_range("Topology::route: GPU index out of range");
  }
  Route r;
  if (a == b) return r;
  if (node_of(a) == node_of(b)) {
    append_nvlink(r, a, b);
    return r;
  }
  switch (policy) {
    case RoutePolicy::kDirect:
      append_direct(r, a, b);
      break;
    case RoutePolicy::kRdmaThenNvlink: {
      const int rail = node_of(b) * gpus_per_node_ + local_rank(a);
      append_direct(r, a, rail);
      append_nvlink(r, rail, b);
      break;
    }
    case RoutePolicy::kNvlinkThenRdma: {
      const int rail = node_of(a) * gpus_per_node_ + local_rank(b);
      append_nvlink(r, a, rail);
      append_direct(r, rail, b);
      break;
    }
  }
  return r;
}

double Topology::bottleneck_bytes_per_s(const Route& r) const {
  double bw = std::numeric_limits<double>::infinity();
  for (int id : r) bw = std::min(bw, link(id).bytes_per_s);
  return bw;
}

TimeNs Topology::latency_ns(const Route& r) const {
  TimeNs t = 0;
  for (int id : r) t += link(id).latency_ns;
  return t;
}

}  // namespace fleetsim
