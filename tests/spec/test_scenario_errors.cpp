// Every class of bad input gives one clear ConfigError naming file, JSON path and expected form.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <span>

#include "sim/serving/serving_system.hpp"
#include "sim/serving/simulation.hpp"
#include "sim/serving/workload.hpp"
#include "sim/spec/scenario_spec.hpp"

using namespace fleetsim;

namespace {
const std::string kScenario = FLEETSIM_SOURCE_DIR "/scenarios/deepseek-v3-r1-day.json";

// Loads the default scenario with overrides and returns the error message ("" if none).
std::string error_of(const std::vector<std::string>& overrides) {
  try {
    load_scenario(kScenario, overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// One override and the error it must give: the file, the JSON path and the expected form.
struct ErrorCase {
  std::string set, path, expected;
};

void check_error_cases(std::span<const ErrorCase> cases) {
  for (const ErrorCase& c : cases) {
    INFO(c.set);
    const auto msg = error_of({c.set});
    CHECK_THAT(msg, Catch::Contains("deepseek-v3-r1-day.json"));
    CHECK_THAT(msg, Catch::Contains(c.path));
    CHECK_THAT(msg, Catch::Contains(c.expected));
  }
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "fleetsim-tests";
  std::filesystem::create_directories(dir);
  const auto p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}
}  // namespace

TEST_CASE("the default scenario loads") {
  const ScenarioSpec s = load_scenario(kScenario);
  CHECK(s.prefill.gpus_per_unit == 32);
  CHECK(s.prefill.slots_per_gpu == 9);
  CHECK(s.decode.gpus_per_unit == 144);
  CHECK(s.decode.slots_per_gpu == 2);
  CHECK(s.duration_ns == kNsPerDay);
}

TEST_CASE("wrong type names the path and the expected type") {
  const auto msg = error_of({"deployment.prefill.nodes_per_unit=\"four\""});
  CHECK_THAT(msg, Catch::Contains("deepseek-v3-r1-day.json"));
  CHECK_THAT(msg, Catch::Contains("/deployment/prefill/nodes_per_unit"));
  CHECK_THAT(msg, Catch::Contains("expected an integer > 0"));
}

TEST_CASE("missing field") {
  std::string text;
  {
    Json j = load_json_file(kScenario);
    j["slo"].erase("ttft_p99_s");
    j["model"] = FLEETSIM_SOURCE_DIR "/models/deepseek-v3.json";
    j["hardware"] = FLEETSIM_SOURCE_DIR "/hw_profiles/h800.json";
    text = j.dump();
  }
  const auto path = write_temp("missing.json", text);
  try {
    load_scenario(path);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("/slo/ttft_p99_s: missing required field"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("missing.json"));
  }
}

TEST_CASE("a hardware rate or efficiency outside what any machine has is an error, not an overflow") {
  // Each of these once ran: 1 B/s of HBM or 1e-300 FP8 FLOP/s made every kernel's nanoseconds
  // overflow, and steps took 1 ns. The range names orders of magnitude around real machines.
  struct Case {
    std::vector<std::string> key;
    double value;
    std::string path, expected;
  };
  const Case cases[] = {
      {{"nic", "bytes_per_s"}, -50e9, "/nic/bytes_per_s", "a number in [1e+08, 1e+15]"},
      {{"gpu", "hbm_bytes_per_s"}, 1, "/gpu/hbm_bytes_per_s", "a number in [1e+08, 1e+15]"},
      {{"gpu", "fp8_flops_per_s"}, 1e-300, "/gpu/fp8_flops_per_s", "a number in [1e+12, 1e+18]"},
      {{"kernel_model", "mla_decode", "hbm_efficiency"}, 1e-12, "/kernel_model/mla_decode/hbm_efficiency",
       "a number in [0.01, 1]"},
      {{"kernel_model", "gemm", "fixed_ns"}, 1e18, "/kernel_model/gemm/fixed_ns", "a number in [0, 1e+09]"},
      {{"comm_model", "low_latency", "dispatch_latency_ns"}, -1, "/comm_model/low_latency/dispatch_latency_ns",
       "a number in [0, 1e+09]"},
  };
  for (const Case& c : cases) {
    INFO(c.path);
    Json hw = load_json_file(FLEETSIM_SOURCE_DIR "/hw_profiles/h800.json");
    Json* field = &hw;
    for (const std::string& k : c.key) field = &(*field)[k];
    *field = c.value;
    const auto hw_path = write_temp("bad-hw.json", hw.dump());
    std::string msg = error_of({"hardware=\"" + hw_path + "\""});
    // The kernel and communication sections are read when the cost models are built.
    if (msg.empty()) {
      try {
        ServingSystem sys(load_scenario(kScenario, {"hardware=\"" + hw_path + "\""}));
      } catch (const ConfigError& e) {
        msg = e.what();
      }
    }
    CHECK_THAT(msg, Catch::Contains("bad-hw.json"));
    CHECK_THAT(msg, Catch::Contains(c.path));
    CHECK_THAT(msg, Catch::Contains(c.expected));
  }
}

TEST_CASE("EP degree that does not match the unit's GPUs") {
  const auto msg = error_of({"deployment.decode.ep_degree=128"});
  CHECK_THAT(msg, Catch::Contains("/deployment/decode/ep_degree"));
  CHECK_THAT(msg, Catch::Contains("144 (18 nodes x 8 GPUs)"));
}

TEST_CASE("expert slots that cannot hold all experts plus the redundant ones") {
  const auto msg = error_of({"deployment.prefill.redundant_experts=30"});
  CHECK_THAT(msg, Catch::Contains("/deployment/prefill/redundant_experts"));
  CHECK_THAT(msg, Catch::Contains("multiple of ep_degree 32"));
}

TEST_CASE("unknown fields are caught, not ignored") {
  const auto msg = error_of({"deployment.prefill.ep_degre=32"});
  CHECK_THAT(msg, Catch::Contains("/deployment/prefill/ep_degre: unknown field"));
}

TEST_CASE("--set on a path that does not exist") {
  const auto msg = error_of({"deployment.nope.x=1"});
  CHECK_THAT(msg, Catch::Contains("no such field"));
}

TEST_CASE("hourly weights need 24 entries") {
  const auto msg = error_of({"workload.hourly_weights=[1,2,3]"});
  CHECK_THAT(msg, Catch::Contains("/workload/hourly_weights: expected an array of 24 numbers"));
}

TEST_CASE("the weights' clock hour is an hour of the day, and sets the run's offset into them") {
  CHECK_THAT(error_of({"workload.weights_start_clock_h=24"}),
             Catch::Contains("/workload/weights_start_clock_h: expected an hour in [0, 24)"));
  CHECK_THAT(error_of({"workload.weights_start_clock_h=-1"}), Catch::Contains("/workload/weights_start_clock_h"));
  // The default scenario's weights start at 12:00: a run from 03:00 is 15 hours into them.
  CHECK(load_scenario(kScenario, {"start_clock_h=3"}).workload.weights_offset_h == 15);
  CHECK(load_scenario(kScenario, {}).workload.weights_offset_h == 0);
  CHECK(load_scenario(kScenario, {"start_clock_h=11.5"}).workload.weights_offset_h == 23.5);
}

TEST_CASE("a linear hourly shape that would turn negative is refused; a step shape takes it") {
  std::string spiky = "[";
  for (int h = 0; h < 24; ++h) spiky += std::string(h ? "," : "") + (h == 5 ? "0" : "10");
  spiky += "]";
  const auto msg = error_of({"workload.hourly_weights=" + spiky});
  CHECK_THAT(msg, Catch::Contains("/workload/hourly_weights/5"));
  CHECK_THAT(msg, Catch::Contains("hourly_shape"));
  CHECK(error_of({"workload.hourly_weights=" + spiky, "workload.hourly_shape=\"step\""}).empty());
  CHECK_THAT(error_of({"workload.hourly_shape=\"smooth\""}), Catch::Contains("/workload/hourly_shape"));
}

TEST_CASE("malformed JSON names the file") {
  const auto path = write_temp("broken.json", "{ \"name\": ");
  try {
    load_scenario(path);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("broken.json"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("expected valid JSON"));
  }
}

TEST_CASE("bad trace lines name the file, the line and the field") {
  const auto bad_json = write_temp("bad1.jsonl", "{\"timestamp\":0,\"input_length\":5,\"output_length\":2}\n{oops\n");
  CHECK_THROWS_WITH(read_trace(bad_json), Catch::Contains("bad1.jsonl:2"));
  const auto neg = write_temp("bad2.jsonl", "{\"timestamp\":0,\"input_length\":-5,\"output_length\":2}\n");
  CHECK_THROWS_WITH(read_trace(neg), Catch::Contains("bad2.jsonl:1: at /input_length: expected an integer > 0"));
  const auto order = write_temp("bad3.jsonl",
                                "{\"timestamp\":10,\"input_length\":5,\"output_length\":2}\n"
                                "{\"timestamp\":5,\"input_length\":5,\"output_length\":2}\n");
  CHECK_THROWS_WITH(read_trace(order), Catch::Contains("non-decreasing"));
  const auto hash = write_temp("bad4.jsonl",
                               "{\"timestamp\":0,\"input_length\":5,\"output_length\":2,\"hash_ids\":[1,\"x\"]}\n");
  CHECK_THROWS_WITH(read_trace(hash), Catch::Contains("/hash_ids/1"));
}

TEST_CASE("scale shrinks load and pool together") {
  const ScenarioSpec s = load_scenario(kScenario, {}, 0.1);
  CHECK(s.workload.requests_per_day == Approx(15.55e6));
  CHECK(s.cluster_nodes == 28);
  CHECK_THROWS_AS(load_scenario(kScenario, {}, 1.5), ConfigError);
  // Published totals are compared at the same scale; rates per node and margins as published.
  const ScenarioSpec full = load_scenario(kScenario);
  REQUIRE(s.validation.size() == full.validation.size());
  int scaled = 0;
  for (std::size_t i = 0; i < s.validation.size(); ++i) {
    const ValidationTarget& t = s.validation[i];
    INFO(t.metric);
    CHECK(t.published == Approx(full.validation[i].published * (t.scales_with_load ? 0.1 : 1.0)));
    CHECK(t.scales_with_load == (t.metric.rfind("tokens.", 0) == 0 || t.metric.rfind("fleet.", 0) == 0 ||
                                 t.metric == "economics.cost_usd" || t.metric == "economics.revenue_usd"));
    scaled += t.scales_with_load ? 1 : 0;
  }
  CHECK(scaled == 8);
}

TEST_CASE("inputs that would overflow the clock or never finish are errors with their path") {
  const ErrorCase cases[] = {
      {"duration_s=1e12", "/duration_s", "(366 days at most)"},
      {"sample_interval_s=0.05", "/sample_interval_s", "a period of at least 0.0864 s"},
      {"policies.eplb_period_s=1e-9", "/policies/eplb_period_s", "a period of at least 0.0864 s"},
      {"workload.requests_per_day=1e300", "/workload/requests_per_day", "a number in (0, 1e12]"},
      {"cluster.nodes=1e7", "/cluster/nodes", "an integer in [1, 100000]"},
      {"deployment.decode.nodes_per_unit=3e9", "/deployment/decode/nodes_per_unit", "an integer in [1, 2147483647]"},
  };
  check_error_cases(cases);
  // At the bounds, and a shorter run allows a finer sample.
  CHECK(error_of({"duration_s=31622400"}) == "");
  CHECK(error_of({"sample_interval_s=0.0864"}) == "");
  CHECK(error_of({"duration_s=3600", "sample_interval_s=0.0036"}) == "");
}

TEST_CASE("a unit whose weights do not fit its GPUs, or leave decode no KV room, is an error") {
  const ErrorCase cases[] = {
      // 256 routed + 3200 redundant experts over 32 GPUs: 108 slots, 298 GB per 80 GB GPU.
      {"deployment.prefill.redundant_experts=3200", "/deployment/prefill",
       "a unit whose weights fit its GPUs: 108 expert slots per GPU make 298.0 GB of weights per GPU, not under "
       "its 80.0 GB of HBM"},
      {"deployment.kv_reserve_fraction=0.75", "/deployment/decode",
       "a unit that keeps HBM for the KV cache: 2 expert slots per GPU make 22.5 GB of weights per GPU, not under "
       "the 20.0 GB of HBM"},
  };
  check_error_cases(cases);
  CHECK(error_of({"deployment.kv_reserve_fraction=0.7"}) == "");
}

TEST_CASE("a validation figure must say whether it scales with the load") {
  const std::string figure = R"({"metric":"tokens.input","label":"x","published":1,"tolerance_pct":5,"source":"s")";
  auto msg = error_of({"validation=[" + figure + "}]"});
  CHECK_THAT(msg, Catch::Contains("deepseek-v3-r1-day.json"));
  CHECK_THAT(msg, Catch::Contains("/validation/0/scales_with_load"));
  msg = error_of({"validation=[" + figure + R"(,"scales_with_load":"yes"}])"});
  CHECK_THAT(msg, Catch::Contains("/validation/0/scales_with_load"));
  CHECK_THAT(msg, Catch::Contains("boolean"));
}

TEST_CASE("a validation figure names a number of summary.json and a non-zero published value") {
  auto figure = [](const std::string& metric, const std::string& published) {
    return "validation=[{\"metric\":\"" + metric + "\",\"label\":\"x\",\"published\":" + published +
           ",\"tolerance_pct\":5,\"source\":\"s\",\"scales_with_load\":true}]";
  };
  auto msg = error_of({figure("tokens.input", "0")});
  CHECK_THAT(msg, Catch::Contains("/validation/0/published") && Catch::Contains("a non-zero number"));
  // A typo is found before the run (simulate() checks first), not left as a "missing" row.
  for (const char* typo : {"tokens.inptu", "tokens", "tokens.input.x", ""}) {
    INFO(typo);
    const ScenarioSpec s = load_scenario(kScenario, {figure(typo, "1")});
    try {
      simulate(s);
      FAIL("no error");
    } catch (const ConfigError& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("deepseek-v3-r1-day.json") &&
                                            Catch::Contains("/validation/0/metric") &&
                                            Catch::Contains("a dotted path to a number in summary.json"));
    }
  }
}

TEST_CASE("a directory or an out-of-range number in place of a scenario is a clear error") {
  CHECK_THROWS_WITH(load_scenario(std::filesystem::temp_directory_path().string()),
                    Catch::Contains("is a directory (expected a readable JSON file)"));
  CHECK_THAT(error_of({"duration_s=1e400"}), Catch::Contains("--set duration_s=1e400") &&
                                                 Catch::Contains("deepseek-v3-r1-day.json"));
  const auto path = write_temp("huge.json", R"({"name": 1e400})");
  CHECK_THROWS_WITH(load_scenario(path), Catch::Contains("huge.json") && Catch::Contains("expected valid JSON"));
}

TEST_CASE("a malformed published day names the path and the expected form") {
  const ErrorCase cases[] = {
      {"published_day.hourly_cost_usd=[1,2,3]", "/published_day/hourly_cost_usd", "an array of 24 numbers"},
      {"published_day.node_schedule=[{\"clock_h\":3,\"nodes\":68},{\"clock_h\":1,\"nodes\":98}]",
       "/published_day/node_schedule/1/clock_h", "an hour after the previous step's"},
      {"published_day.node_schedule=[{\"clock_h\":24,\"nodes\":68}]", "/published_day/node_schedule/0/clock_h",
       "an hour in [0, 24)"},
      {"published_day.node_schedule=[]", "/published_day/node_schedule", "a non-empty array of {clock_h, nodes}"},
      {"published_day.hourly_from_clock_h=12.5", "/published_day/hourly_from_clock_h", "a whole hour in [0, 24)"},
      {"published_day.node_schedule=[{\"clock_h\":0,\"nodes\":-1}]", "/published_day/node_schedule/0/nodes",
       "a number >= 0"},
  };
  check_error_cases(cases);
  CHECK_THAT(error_of({"published_day.extra=1"}), Catch::Contains("/published_day"));
}

TEST_CASE("a published step's units must add up to its nodes, on every step") {
  const ScenarioSpec s = load_scenario(kScenario);
  REQUIRE(s.published_day);
  REQUIRE(s.published_day->has_units());
  CHECK(s.published_day->prefill_nodes_per_unit == s.prefill.nodes_per_unit);
  CHECK(s.published_day->decode_nodes_per_unit == s.decode.nodes_per_unit);
  for (const PublishedNodeStep& step : s.published_day->node_schedule)
    CHECK(step.prefill_units * s.prefill.nodes_per_unit + step.decode_units * s.decode.nodes_per_unit == step.nodes);
  // A what-if with other unit shapes still loads: the published fleet keeps its own.
  CHECK(error_of({"deployment.decode.nodes_per_unit=4", "deployment.decode.dp_degree=32",
                  "deployment.decode.ep_degree=32"}) == "");

  auto msg = error_of({"published_day.node_schedule=[{\"clock_h\":0,\"nodes\":70,\"prefill_units\":8,\"decode_units\":2}]"});
  CHECK_THAT(msg, Catch::Contains("/published_day/node_schedule/0/nodes"));
  CHECK_THAT(msg, Catch::Contains("8 x 4 + 2 x 18 = 68"));
  msg = error_of({"published_day.node_schedule=[{\"clock_h\":0,\"nodes\":68,\"prefill_units\":8,\"decode_units\":2},"
                  "{\"clock_h\":6,\"nodes\":98}]"});
  CHECK_THAT(msg, Catch::Contains("/published_day/node_schedule/1/prefill_units"));
  msg = error_of({"published_day.unit_nodes={\"prefill\":4}"});
  CHECK_THAT(msg, Catch::Contains("/published_day/unit_nodes/decode"));
}
