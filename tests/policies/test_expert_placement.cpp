// Expert placement: the EPLB README worked example reproduced exactly, invariants of every
// placer, and the balancing placers beating the identity placement on skewed load.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "sim/policies/expert_placement.hpp"

using namespace fleetsim;

namespace {
std::unique_ptr<ExpertPlacer> make(const std::string& name) {
  const Json spec = name;
  return expert_placers().create(JsonReader(spec, "scenario.json", "/policies/expert_placement"));
}

void check_consistent(const ExpertPlacement& p, const PlacementShape& s) {
  REQUIRE(p.num_gpus == s.num_gpus);
  REQUIRE(p.slots_per_gpu * s.num_gpus == s.num_physical_slots);
  REQUIRE(p.num_slots() == s.num_physical_slots);
  REQUIRE(p.log2phy.size() == static_cast<std::size_t>(s.num_logical_experts));
  int replicas = 0;
  for (int e = 0; e < s.num_logical_experts; ++e) {
    REQUIRE_FALSE(p.log2phy[e].empty());  // every expert placed at least once
    for (int q : p.log2phy[e]) REQUIRE(p.phy2log[q] == e);
    replicas += static_cast<int>(p.log2phy[e].size());
  }
  REQUIRE(replicas == s.num_physical_slots);
}

// A skewed load: lognormal-like, deterministic (sigma ~ 1).
std::vector<double> skewed_load(int n) {
  std::vector<double> w(static_cast<std::size_t>(n));
  for (int e = 0; e < n; ++e) w[e] = 100.0 * std::exp(1.2 * std::sin(1.7 * e + 0.3) * std::cos(0.37 * e));
  return w;
}
}  // namespace

TEST_CASE("expert placer registry holds the expected names") {
  for (const char* n : {"none", "greedy", "hierarchical", "global", "eplb"}) {
    CHECK(expert_placers().contains(n));
    CHECK(make(n)->name() == n);
  }
  const Json bad = "optimal";
  CHECK_THROWS_AS(expert_placers().create(JsonReader(bad, "s.json", "/policies/expert_placement")), ConfigError);
}

TEST_CASE("EPLB reproduces the README worked example exactly") {
  // deepseek-ai/EPLB README: 2 layers x 12 experts, 16 replicas (4 redundant), 4 groups,
  // 2 nodes x 4 GPUs; the published phy2log per layer.
  const std::vector<std::vector<double>> weight = {{90, 132, 40, 61, 104, 165, 39, 4, 73, 56, 183, 86},
                                                   {20, 107, 104, 64, 19, 197, 187, 157, 172, 86, 16, 27}};
  const std::vector<std::vector<int>> expected = {{5, 6, 5, 7, 8, 4, 3, 4, 10, 9, 10, 2, 0, 1, 11, 1},
                                                  {7, 10, 6, 8, 6, 11, 8, 9, 2, 4, 5, 1, 5, 0, 3, 1}};
  const PlacementShape shape{12, 4, 2, 8, 16};
  auto eplb = make("eplb");
  for (std::size_t layer = 0; layer < 2; ++layer) {
    INFO("layer " << layer);
    const ExpertPlacement p = eplb->place(weight[layer], shape);
    CHECK(p.phy2log == expected[layer]);
    check_consistent(p, shape);
    CHECK(p.slots_per_gpu == 2);
  }
  // Layer 0: expert 5 (165) and 10 (183) get two replicas each, and 1 (132) too.
  const ExpertPlacement p0 = eplb->place(weight[0], shape);
  CHECK(p0.log2phy[5] == std::vector<int>{0, 2});
  CHECK(p0.log2phy[1].size() == 2);
}

TEST_CASE("eplb chooses hierarchical or global as the reference does") {
  const auto w = skewed_load(256);
  const PlacementShape divisible{256, 8, 4, 32, 288};
  CHECK(make("eplb")->place(w, divisible).phy2log == make("hierarchical")->place(w, divisible).phy2log);
  const PlacementShape decode{256, 8, 18, 144, 288};  // 8 groups over 18 nodes: global
  CHECK(make("eplb")->place(w, decode).phy2log == make("global")->place(w, decode).phy2log);
  CHECK_THROWS_AS(make("hierarchical")->place(w, decode), std::invalid_argument);
}

TEST_CASE("hierarchical placement keeps each group's experts on one node") {
  const auto w = skewed_load(256);
  const PlacementShape s{256, 8, 4, 32, 288};
  const ExpertPlacement p = make("hierarchical")->place(w, s);
  check_consistent(p, s);
  const int gpus_per_node = 8, group_size = 32;
  for (int g = 0; g < 8; ++g) {
    const int node = p.gpu_of_slot(p.log2phy[g * group_size][0]) / gpus_per_node;
    for (int e = g * group_size; e < (g + 1) * group_size; ++e) {
      for (int q : p.log2phy[e]) REQUIRE(p.gpu_of_slot(q) / gpus_per_node == node);
    }
  }
}

TEST_CASE("none is the identity with round-robin copies in the redundant slots") {
  const PlacementShape s{6, 1, 1, 4, 8};
  const std::vector<double> w(6, 1.0);
  const ExpertPlacement p = make("none")->place(w, s);
  CHECK(p.phy2log == std::vector<int>{0, 1, 2, 3, 4, 5, 0, 1});
  CHECK(p.log2phy[0] == std::vector<int>{0, 6});
  CHECK(p.gpu_of_slot(6) == 3);
}

TEST_CASE("balancing placers reduce max/mean GPU imbalance against none on a skewed load") {
  const auto w = skewed_load(256);
  // Prefill-like (EP32, 9 slots per GPU) and decode-like (EP144, 2 per GPU) shapes, Day-6 sizes.
  for (const PlacementShape& s : {PlacementShape{256, 8, 4, 32, 288}, PlacementShape{256, 8, 18, 144, 288}}) {
    INFO("gpus " << s.num_gpus);
    const double none = gpu_imbalance(make("none")->place(w, s), w);
    for (const char* name : {"greedy", "global", "eplb"}) {
      INFO(name);
      const ExpertPlacement p = make(name)->place(w, s);
      check_consistent(p, s);
      const double imb = gpu_imbalance(p, w);
      CHECK(imb < none);
      CHECK(imb >= 1.0);
    }
    CHECK(gpu_imbalance(make("greedy")->place(w, s), w) <= gpu_imbalance(make("global")->place(w, s), w) + 1e-12);
  }
}

TEST_CASE("gpu_imbalance splits each expert's load evenly over its replicas") {
  // 2 GPUs x 2 slots, experts {0: 6, 1: 2, 2: 2}; expert 0 on both GPUs: GPU loads 3+2, 3+2.
  const PlacementShape s{3, 1, 1, 2, 4};
  const ExpertPlacement p = placement_from_phy2log({0, 1, 0, 2}, s);
  const std::vector<double> w = {6, 2, 2};
  CHECK(gpu_loads(p, w) == std::vector<double>{5, 5});
  CHECK(gpu_imbalance(p, w) == Approx(1.0));
  const ExpertPlacement q = placement_from_phy2log({0, 0, 1, 2}, s);  // GPU 0: 6, GPU 1: 4
  CHECK(gpu_imbalance(q, w) == Approx(6.0 / 5.0));
}
