// Max-min fluid flows: analytic cases derived in the comments.
#include <catch2/catch.hpp>

#include "sim/hw/flow_model.hpp"

using namespace fleetsim;

TEST_CASE("a flow on an idle path gets the path's bottleneck") {
  // Links 10 GB/s and 5 GB/s: 5e9 bytes at 5 GB/s = 1 s.
  const FlowModel m({10e9, 5e9});
  const auto r = m.run({Flow{{0, 1}, 5e9, 0, 1}});
  CHECK(r.finish_ns[0] == 1'000'000'000);
}

TEST_CASE("two flows sharing a link halve their rate; the survivor speeds up") {
  // Link 0 (10 GB/s) shared. Flow A 1e9 B, flow B 3e9 B: both at 5 GB/s until A ends at 0.2 s
  // (B has 2e9 left), then B alone at 10 GB/s: 0.2 s more, ends at 0.4 s.
  const FlowModel m({10e9});
  const auto rates = m.max_min_rates({Flow{{0}, 1e9, 0, 1}, Flow{{0}, 3e9, 0, 1}});
  CHECK(rates[0] == Approx(5e9));
  const auto r = m.run({Flow{{0}, 1e9, 0, 1}, Flow{{0}, 3e9, 0, 1}});
  CHECK(r.finish_ns[0] == 200'000'000);
  CHECK(r.finish_ns[1] == 400'000'000);
}

TEST_CASE("max-min: a flow bottlenecked elsewhere leaves its share to the others") {
  // Link 0: 10 GB/s shared by A and B; B also crosses link 1 at 2 GB/s. B gets 2, A gets 8.
  const FlowModel m({10e9, 2e9});
  const auto rates = m.max_min_rates({Flow{{0}, 1, 0, 1}, Flow{{0, 1}, 1, 0, 1}});
  CHECK(rates[0] == Approx(8e9));
  CHECK(rates[1] == Approx(2e9));
}

TEST_CASE("aggregated identical flows behave like the copies they stand for") {
  const FlowModel m({12e9});
  const auto r1 = m.run({Flow{{0}, 6e9, 0, 3}});
  const auto r3 = m.run({Flow{{0}, 6e9, 0, 1}, Flow{{0}, 6e9, 0, 1}, Flow{{0}, 6e9, 0, 1}});
  CHECK(r1.finish_ns[0] == 1'500'000'000);  // 3 x 6e9 B over 12 GB/s
  CHECK(r3.makespan_ns == r1.makespan_ns);
}

TEST_CASE("late arrival: rates recomputed when a flow starts") {
  // A starts at 0 alone (10 GB/s), B at 0.1 s; A has 1e9 left, both at 5 GB/s: A ends 0.3 s.
  const FlowModel m({10e9});
  const auto r = m.run({Flow{{0}, 2e9, 0, 1}, Flow{{0}, 1e9, 100'000'000, 1}});
  CHECK(r.finish_ns[0] == 300'000'000);
  CHECK(r.finish_ns[1] == 300'000'000);
}

TEST_CASE("uniform all-to-all over 18 nodes: NIC-bound analytic time, one rate computation") {
  // 144 GPUs, each sends 1 MB to every off-node GPU (136 peers): 136 MB per NIC port at
  // 50 GB/s = 2.72 ms; NVLink legs (7 MB at 160 GB/s) finish first.
  const Topology t(18, 8, 1, 160e9, 50e9, {});
  std::vector<Flow> flows;
  for (int a = 0; a < 144; ++a) {
    for (int b = 0; b < 144; ++b) {
      if (a != b) flows.push_back(Flow{t.route(a, b), 1e6, 0, 1});
    }
  }
  const auto r = FlowModel(t.link_capacities_bytes_per_s()).run(flows);
  CHECK(r.makespan_ns == Approx(2'720'000).epsilon(1e-6));
  CHECK(r.rate_computations <= 3);
}
