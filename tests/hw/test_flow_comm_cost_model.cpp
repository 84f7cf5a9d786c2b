// The "flow" comm model: the fit bar on DeepEP's rows, and traffic shapes that must cost
// differently for the right reason.
#include <catch2/catch.hpp>

#include "calibrate/comm/comm_fit.hpp"

using namespace fleetsim;

namespace {
const HardwareSpec& hw() {
  static const HardwareSpec h = load_hardware_spec(FLEETSIM_SOURCE_DIR "/hw_profiles/h800.json");
  return h;
}
const ModelSpec& model() {
  static const ModelSpec m = load_model_spec(FLEETSIM_SOURCE_DIR "/models/deepseek-v3.json");
  return m;
}
FlowCommCostModel make(CommTier tier = CommTier::kBottleneck) {
  return FlowCommCostModel(model(), hw(), load_flow_comm_params(hw(), "rdma"), tier, 0.01);
}
// Every GPU of `n` sends `bytes` to each GPU of the group whose node is in `dst_nodes`.
AllToAllTraffic to_nodes(int n, const std::vector<int>& dst_nodes, double bytes) {
  AllToAllTraffic t;
  t.num_gpus = n;
  t.bytes.assign(static_cast<std::size_t>(n) * n, 0.0);
  for (int s = 0; s < n; ++s) {
    for (int node : dst_nodes) {
      for (int d = node * 8; d < node * 8 + 8; ++d) {
        if (d != s) t.at(s, d) = bytes;
      }
    }
  }
  return t;
}
}  // namespace

TEST_CASE("fit bar: leave-one-out errors on the primary DeepEP tables") {
  const CommFitReport rep = fit_comm_model(hw(), model());
  int primaries = 0;
  for (const auto& t : rep.tables) {
    INFO(t.name << ": LOO median " << t.median_abs_loo << ", max " << t.max_abs_loo);
    if (!t.primary) continue;
    ++primaries;
    CHECK(t.median_abs_loo <= 0.05);
    CHECK(t.max_abs_loo <= 0.15);
  }
  CHECK(primaries == 2);
  // The profile's stored parameters are the ones this fit produces.
  const FlowCommParams stored = load_flow_comm_params(hw(), "rdma");
  CHECK(stored.normal.rdma_efficiency == Approx(rep.fitted.normal.rdma_efficiency).epsilon(1e-3));
  CHECK(stored.low_latency.rdma_efficiency == Approx(rep.fitted.low_latency.rdma_efficiency).epsilon(1e-3));
}

TEST_CASE("registered as 'flow' with its parameters") {
  CommCostModelRegistry reg("communication cost model");
  register_flow_comm_cost_model(reg);
  REQUIRE(reg.contains("flow"));
  const Json spec = {{"name", "flow"}, {"params", {{"tier", "flow"}}}};
  auto m = reg.create(JsonReader(spec, "test"), model(), hw());
  CHECK(m->name() == "flow");
  CHECK(m->kv_transfer_ns(1e9) > transfer_time_ns(1e9, hw().nic_bytes_per_s));
}

TEST_CASE("tokens reaching 4 nodes cost more than 2: one RDMA copy per remote node reached") {
  // Prefill normal kernels, EP32 (4 nodes), T tokens of B bytes per GPU, 8 GPU copies each.
  // Reaching 2 nodes (own + next): 1 remote RDMA copy per token; reaching 4: 3 copies. The GPU
  // copy count is the same, so the NIC load triples and the 4-node case turns NIC-bound.
  const auto m = make();
  const double TB = 4096.0 * 7392;
  auto build = [&](int reach, std::vector<double>& node_bytes) {
    AllToAllTraffic t;
    t.num_gpus = 32;
    t.bytes.assign(32 * 32, 0.0);
    node_bytes.assign(32 * 4, 0.0);
    for (int s = 0; s < 32; ++s) {
      for (int k = 0; k < reach; ++k) {
        const int node = (s / 8 + k) % 4;
        if (k > 0) node_bytes[static_cast<std::size_t>(s) * 4 + node] = TB;
        for (int d = node * 8; d < node * 8 + 8; ++d) t.at(s, d) = TB * 8.0 / (8.0 * reach);
      }
    }
    return t;
  };
  std::vector<double> nb2, nb4;
  const auto t2 = build(2, nb2);
  const auto t4 = build(4, nb4);
  const auto lt2 = m.link_times(t2, &nb2, A2aKind::kDispatch, A2aMode::kNormal);
  const auto lt4 = m.link_times(t4, &nb4, A2aKind::kDispatch, A2aMode::kNormal);
  INFO("nvl2 " << lt2.nvlink_s << " rdma2 " << lt2.rdma_s << " nvl4 " << lt4.nvlink_s << " rdma4 " << lt4.rdma_s);
  CHECK(lt4.rdma_s == Approx(3.0 * lt2.rdma_s).epsilon(1e-9));
  // NVLink fan-out carries the same copies either way; only the NIC side grows.
  CHECK(lt4.nvlink_s == Approx(lt2.nvlink_s).epsilon(1e-9));
  CHECK(m.all_to_all_ns(t4, &nb4, A2aKind::kDispatch, A2aMode::kNormal, 24) >
        m.all_to_all_ns(t2, &nb2, A2aKind::kDispatch, A2aMode::kNormal, 24));
  // Without the exact per-node bytes the estimate must still order them.
  CHECK(m.all_to_all_ns(t4, A2aKind::kDispatch, A2aMode::kNormal, 24) >
        m.all_to_all_ns(t2, A2aKind::kDispatch, A2aMode::kNormal, 24));
}

TEST_CASE("EP32 vs EP144: same per-GPU tokens, the larger group sends more off-node") {
  // Uniform routing, 128 tokens x 8 selections per GPU, 7 KB each: EP32 keeps 8/32 of the
  // selections on the node (NVLink profile) or 1/32 on the GPU; EP144 keeps less local, so the
  // NIC carries more and the time is longer. With the pure-RDMA profile only self-traffic is
  // local: (1 - 1/32) vs (1 - 1/144) of the bytes.
  const auto m = make();
  auto uniform = [](int n) {
    AllToAllTraffic t;
    t.num_gpus = n;
    t.bytes.assign(static_cast<std::size_t>(n) * n, 128.0 * 8 * 7408 / n);
    return t;
  };
  const auto t32 = m.link_times(uniform(32), nullptr, A2aKind::kDispatch, A2aMode::kLowLatency);
  const auto t144 = m.link_times(uniform(144), nullptr, A2aKind::kDispatch, A2aMode::kLowLatency);
  CHECK(t144.rdma_s / t32.rdma_s == Approx((1 - 1.0 / 144) / (1 - 1.0 / 32)).epsilon(1e-6));
  CHECK(m.all_to_all_ns(uniform(144), A2aKind::kDispatch, A2aMode::kLowLatency, 0) >
        m.all_to_all_ns(uniform(32), A2aKind::kDispatch, A2aMode::kLowLatency, 0));
  // Normal kernels at EP32: NIC-bound (the fitted NVLink rows are not the bottleneck).
  const auto n32 = m.link_times(uniform(32), nullptr, A2aKind::kDispatch, A2aMode::kNormal);
  CHECK(n32.rdma_s > 0);
  // Fewer comm SMs than calibrated slow normal kernels down.
  CHECK(m.all_to_all_ns(uniform(32), A2aKind::kDispatch, A2aMode::kNormal, 12) >
        m.all_to_all_ns(uniform(32), A2aKind::kDispatch, A2aMode::kNormal, 24));
}

TEST_CASE("flow tier agrees with the closed form on uniform traffic and is never faster") {
  const auto closed = make(CommTier::kBottleneck);
  const auto flow = make(CommTier::kFlow);
  const auto t = to_nodes(144, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, 8e3);
  const auto a = closed.all_to_all_ns(t, A2aKind::kCombine, A2aMode::kLowLatency, 0);
  const auto b = flow.all_to_all_ns(t, A2aKind::kCombine, A2aMode::kLowLatency, 0);
  CHECK(static_cast<double>(b) == Approx(static_cast<double>(a)).epsilon(0.01));
  CHECK(b >= a - 1);
}

TEST_CASE("replace_top_level_key leaves the other bytes untouched") {
  const std::string text = "{\n  \"a\": 1e9,\n  \"comm_model\": {\"x\": [1, {\"y\": 2}]},\n  \"b\": \"}\"\n}\n";
  const std::string out = replace_top_level_json_key(text, "comm_model", Json{{"z", 3}});
  CHECK(out.find("\"a\": 1e9") != std::string::npos);
  CHECK(out.find("\"b\": \"}\"") != std::string::npos);
  CHECK(Json::parse(out)["comm_model"]["z"] == 3);
  const std::string added = replace_top_level_json_key("{\n  \"a\": 1\n}\n", "k", Json{{"z", 3}});
  CHECK(Json::parse(added)["k"]["z"] == 3);
}

TEST_CASE("a broken low-latency fit is reported whichever profile is selected") {
  HardwareSpec broken = hw();
  broken.document["comm_model"]["low_latency_nvlink"]["rdma_efficiency"] = "high";
  for (const char* profile : {"rdma", "nvlink"}) {
    INFO(profile);
    try {
      load_flow_comm_params(broken, profile);
      FAIL("no error");
    } catch (const ConfigError& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("/comm_model/low_latency_nvlink/rdma_efficiency"));
    }
  }
  // A profile without the NVLink fit still runs on RDMA; asking for NVLink names what is missing.
  HardwareSpec rdma_only = hw();
  rdma_only.document["comm_model"].erase("low_latency_nvlink");
  CHECK_NOTHROW(load_flow_comm_params(rdma_only, "rdma"));
  CHECK_THROWS_WITH(load_flow_comm_params(rdma_only, "nvlink"), Catch::Contains("low_latency_nvlink"));
}
