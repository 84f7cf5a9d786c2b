// Topology routes: intra- vs inter-node paths, hop counts, bottlenecks, DeepEP rail routes.
#include <catch2/catch.hpp>

#include "sim/hw/topology.hpp"

using namespace fleetsim;

TEST_CASE("intra-node route is GPU -> NVSwitch -> GPU at NVLink bandwidth") {
  const Topology t(2, 8, 1, 160e9, 50e9, {100, 200, 300});
  const Route r = t.route(1, 5);
  REQUIRE(r.size() == 2);
  CHECK(t.link(r[0]).kind == LinkKind::kNvlink);
  CHECK(t.bottleneck_bytes_per_s(r) == 160e9);
  CHECK(t.latency_ns(r) == 200);
  CHECK(t.route(3, 3).empty());
}

TEST_CASE("inter-node route is GPU -> NIC -> fabric -> NIC -> GPU, NIC-bound") {
  const Topology t(2, 8, 1, 160e9, 50e9, {100, 200, 300});
  const Route r = t.route(1, 13);
  REQUIRE(r.size() == 4);
  CHECK(t.bottleneck_bytes_per_s(r) == 50e9);
  CHECK(t.latency_ns(r) == 2 * 200 + 2 * 300);
  CHECK(r[0] == t.nic_port_up(1, 0));
  CHECK(r[3] == t.nic_port_down(13, 0));
  CHECK(t.route(1, 13) == r);  // deterministic
  // 16 GPUs + 2 switches + 16 NICs + 1 fabric; 2 NVLink + 4 NIC/IB links per GPU.
  CHECK(boost::num_vertices(t.graph()) == 35);
  CHECK(t.num_links() == 16 * 6);
}

TEST_CASE("DeepEP rail routes: RDMA to the same local rank, then NVLink (and back for combine)") {
  const Topology t(2, 8, 1, 160e9, 50e9, {});
  const Route d = t.route(1, 13, RoutePolicy::kRdmaThenNvlink);  // rail GPU is 9
  REQUIRE(d.size() == 6);
  CHECK(d[3] == t.nic_port_down(9, 0));
  CHECK(d[4] == t.nvlink_up(9));
  CHECK(d[5] == t.nvlink_down(13));
  const Route c = t.route(13, 1, RoutePolicy::kNvlinkThenRdma);  // via GPU 9, then RDMA to 1
  REQUIRE(c.size() == 6);
  CHECK(c[0] == t.nvlink_up(13));
  CHECK(c[1] == t.nvlink_down(9));
  CHECK(c[2] == t.nic_port_up(9, 0));
  // Same local rank needs no NVLink hop.
  CHECK(t.route(1, 9, RoutePolicy::kRdmaThenNvlink).size() == 4);
}
