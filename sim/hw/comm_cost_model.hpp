// Interface: the time of the expert-parallel all-to-all (dispatch, combine) and of KV-cache
// transfers, from the traffic a step generates over the cluster topology.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/hw/step_shape.hpp"

namespace fleetsim {

// Traffic of one dispatch (or combine) of one microbatch inside one EP group: bytes[src][dst]
// between the group's GPUs (indices 0..n-1 in the group; GPU i sits on node i / gpus_per_node).
struct AllToAllTraffic {
  int num_gpus = 0;
  std::vector<double> bytes;  // row-major num_gpus x num_gpus; the diagonal stays local
  double& at(int src, int dst) { return bytes[static_cast<std::size_t>(src) * num_gpus + dst]; }
  double at(int src, int dst) const { return bytes[static_cast<std::size_t>(src) * num_gpus + dst]; }
};

enum class A2aKind : std::uint8_t { kDispatch, kCombine };
// Normal kernels (prefill: NVLink forwarding + RDMA, use SMs) or low-latency (decode: pure RDMA).
enum class A2aMode : std::uint8_t { kNormal, kLowLatency };

class CommCostModel {
 public:
  virtual ~CommCostModel() = default;
  virtual std::string name() const = 0;
  // Completion time of the all-to-all: the time until the last GPU has received its data.
  virtual std::int64_t all_to_all_ns(const AllToAllTraffic& traffic, A2aKind kind, A2aMode mode,
                                     int comm_sms) const = 0;
  // Time to move `bytes` of KV cache from a GPU of one unit to a GPU of another over RDMA.
  virtual std::int64_t kv_transfer_ns(double bytes) const = 0;
};

}  // namespace fleetsim
