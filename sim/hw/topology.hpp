// The cluster as a graph of directed links (GPUs, one NVSwitch per node, NICs, an InfiniBand
// fabric) and the deterministic routes that EP all-to-all and KV transfers take over it.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/spec/hardware_spec.hpp"

namespace fleetsim {

enum class VertexKind : std::uint8_t { kGpu, kNvSwitch, kNic, kFabric };
enum class LinkKind : std::uint8_t { kNvlink, kNicPort, kInfiniband };

struct TopologyVertex {
  VertexKind kind = VertexKind::kGpu;
  int node = -1;   // -1 for the fabric
  int index = -1;  // GPU index in the cluster, NIC index in the cluster, node for a switch
};

struct TopologyLink {
  int id = 0;
  int from = 0;  // vertex ids
  int to = 0;
  LinkKind kind = LinkKind::kNvlink;
  double bytes_per_s = 0;
  TimeNs latency_ns = 0;
};

// Per-hop latencies; they live in hw_profiles/*.json ("links") with their source.
struct LinkLatencies {
  TimeNs nvlink_ns = 0;
  TimeNs nic_port_ns = 0;
  TimeNs infiniband_ns = 0;
};

// How a flow between GPUs of different nodes travels.
//  kDirect:          GPU -> own NIC -> fabric -> peer NIC -> peer GPU (pure RDMA, LL kernels, KV).
//  kRdmaThenNvlink:  RDMA to the GPU with the sender's local rank on the peer node, then NVLink to
//                    the peer (DeepEP normal dispatch: one RDMA copy per node, NVLink fan-out).
//  kNvlinkThenRdma:  NVLink to the GPU with the receiver's local rank on the sender's node, then
//                    RDMA (DeepEP normal combine: reduce inside the node, then one RDMA copy).
enum class RoutePolicy : std::uint8_t { kDirect, kRdmaThenNvlink, kNvlinkThenRdma };

using Route = std::vector<int>;  // link ids, in traversal order

// The fabric is one non-blocking InfiniBand switch: DeepSeek describe cross-node GPUs as "fully
// interconnected with IB" (V3TR 3.1/3.4), so no oversubscription is modelled above the NIC ports.
class Topology {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, TopologyVertex,
                                      TopologyLink>;

  Topology(int num_nodes, int gpus_per_node, int nics_per_gpu, double nvlink_bytes_per_s,
           double nic_bytes_per_s, LinkLatencies latencies);
  Topology(const HardwareSpec& hw, int num_nodes, LinkLatencies latencies = {});

  int num_nodes() const { return num_nodes_; }
  int gpus_per_node() const { return gpus_per_node_; }
  int nics_per_gpu() const { return nics_per_gpu_; }
  int num_gpus() const { return num_nodes_ * gpus_per_node_; }
  int node_of(int gpu) const { return gpu / gpus_per_node_; }
  int local_rank(int gpu) const { return gpu % gpus_per_node_; }
  int num_links() const { return static_cast<int>(links_.size()); }
  const TopologyLink& link(int id) const { return links_[static_cast<std::size_t>(id)]; }
  const std::vector<TopologyLink>& links() const { return links_; }
  const Graph& graph() const { return graph_; }
  std::vector<double> link_capacities_bytes_per_s() const;

  // Link ids of one GPU's attachment points (nic in [0, nics_per_gpu)).
  int nvlink_up(int gpu) const { return nvl_up_[static_cast<std::size_t>(gpu)]; }
  int nvlink_down(int gpu) const { return nvl_down_[static_cast<std::size_t>(gpu)]; }
  int nic_port_up(int gpu, int nic) const { return nic_up_[nic_index(gpu, nic)]; }
  int nic_port_down(int gpu, int nic) const { return nic_down_[nic_index(gpu, nic)]; }
  int ib_up(int gpu, int nic) const { return ib_up_[nic_index(gpu, nic)]; }
  int ib_down(int gpu, int nic) const { return ib_down_[nic_index(gpu, nic)]; }

  // The links from GPU a to GPU b (empty when a == b). Deterministic: with several NICs per GPU
  // the pair (a, b) always uses NIC (a + b) % nics_per_gpu on both ends.
  Route route(int a, int b, RoutePolicy policy = RoutePolicy::kDirect) const;
  double bottleneck_bytes_per_s(const Route& r) const;
  TimeNs latency_ns(const Route& r) const;

 private:
  std::size_t nic_index(int gpu, int nic) const {
    return static_cast<std::size_t>(gpu) * static_cast<std::size_t>(nics_per_gpu_) +
           static_cast<std::size_t>(nic);
  }
  int add_vertex(VertexKind kind, int node, int index);
  int add_link(int from, int to, LinkKind kind, double bytes_per_s, TimeNs latency_ns);
  void append_direct(Route& r, int a, int b) const;
  void append_nvlink(Route& r, int a, int b) const;

  int num_nodes_;
  int gpus_per_node_;
  int nics_per_gpu_;
  Graph graph_;
  std::vector<TopologyLink> links_;
  std::vector<int> nvl_up_, nvl_down_, nic_up_, nic_down_, ib_up_, ib_down_;
};

}  // namespace fleetsim
