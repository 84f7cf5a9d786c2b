// The "measured" layer cost model: ratios of 1 give the calibrated model's times exactly, a ratio
// scales exactly its operator (and not the MTP module's copy of it), and bad ratio files are
// ConfigErrors naming the file and the JSON path.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>

#include "sim/hw/cost_model_registry.hpp"
#include "sim/engine/time.hpp"
#include "sim/hw/measured_layer_cost_model.hpp"

#include "tests/fixtures.hpp"

using namespace fleetsim;

namespace {

using test::h800;
using test::v3;

// Day-6 shapes: a decode microbatch of 64 sequences x 2 tokens at KV 4989 on 132 SMs, a prefill
// microbatch of 8192 tokens on 108 SMs (24 left to communication).
struct Case {
  Phase phase;
  RankBatch batch;
  ExpertWork experts;
  SmSplit sms;
  std::int64_t logits;
};
std::vector<Case> day6_cases() {
  Case d{Phase::kDecode, {128, 64, 128.0 * 4989, 64.0 * 4989}, {}, {132, 0}, 256};
  d.experts.tokens_per_slot = {512, 512};
  Case p{Phase::kPrefill, {8192, 5, 8192.0 * 3055, 0}, {}, {108, 24}, 10};
  p.experts.tokens_per_slot.assign(9, 7282);
  return {d, p};
}

MeasuredRatios all_ones(Phase phase) {
  MeasuredRatios m;
  m.phase = phase;
  for (const auto& k : operator_keys(ModelShapes(v3()), phase)) m.ops[k] = 1.0;
  return m;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "fleetsim_measured_test";
  std::filesystem::create_directories(dir);
  const auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

std::unique_ptr<LayerCostModel> from_registry(const Json& spec, const std::string& scenario_file) {
  return layer_cost_models().create(JsonReader(spec, scenario_file, "/policies/layer_cost_model"),
                                    v3(), h800());
}

}  // namespace

TEST_CASE("measured model with every ratio 1 gives the calibrated times exactly") {
  const CalibratedLayerCostModel cal(v3(), h800());
  const MeasuredLayerCostModel mea(v3(), h800(), all_ones(Phase::kPrefill), all_ones(Phase::kDecode));
  CHECK(mea.name() == "measured");
  for (const Case& c : day6_cases()) {
    for (bool moe : {false, true}) {
      const LayerStageTimes a = cal.layer(c.phase, moe, c.batch, c.experts, c.sms);
      const LayerStageTimes b = mea.layer(c.phase, moe, c.batch, c.experts, c.sms);
      CHECK(a.attn0_ns == b.attn0_ns);
      CHECK(a.attn1_ns == b.attn1_ns);
      CHECK(a.attn_ns == b.attn_ns);
      CHECK(a.shared_ns == b.shared_ns);
      CHECK(a.mlp_ns == b.mlp_ns);
    }
    CHECK(cal.step_overhead_ns(c.phase, c.batch, c.logits, c.sms) ==
          mea.step_overhead_ns(c.phase, c.batch, c.logits, c.sms));
  }
}

TEST_CASE("a ratio of 2 on q_b_proj grows ATTN by exactly that operator's time") {
  const CalibratedLayerCostModel cal(v3(), h800());
  const std::vector<Case> cases = day6_cases();
  for (const Case& c : cases) {
    MeasuredRatios prefill = all_ones(Phase::kPrefill), decode = all_ones(Phase::kDecode);
    (c.phase == Phase::kPrefill ? prefill : decode).ops["q_b_proj"] = 2.0;
    const MeasuredLayerCostModel mea(v3(), h800(), prefill, decode);
    double q_b_s = 0;
    for (const Operator& op : layer_operators(cal.shapes(), c.phase, true, c.batch, c.experts))
      if (std::string(op.name) == "q_b_proj") q_b_s = cal.kernels().cost(op, c.sms.compute_sms).time_s;
    REQUIRE(q_b_s > 0);
    const LayerStageTimes a = cal.layer(c.phase, true, c.batch, c.experts, c.sms);
    const LayerStageTimes b = mea.layer(c.phase, true, c.batch, c.experts, c.sms);
    // Exactly, up to the one rounding of the stage sum to whole nanoseconds.
    CHECK(std::abs(b.attn_ns - a.attn_ns - seconds_to_ns(q_b_s)) <= 1);
    CHECK(std::abs(b.attn0_ns - a.attn0_ns - seconds_to_ns(q_b_s)) <= 1);
    CHECK(b.attn1_ns == a.attn1_ns);
    CHECK(b.shared_ns == a.shared_ns);
    CHECK(b.mlp_ns == a.mlp_ns);
    // The MTP module's copy is filed as "mtp.q_b_proj": the step operators do not change.
    CHECK(cal.step_overhead_ns(c.phase, c.batch, c.logits, c.sms) ==
          mea.step_overhead_ns(c.phase, c.batch, c.logits, c.sms));
    // The other phase is untouched.
    const Case& other = c.phase == Phase::kDecode ? cases[1] : cases[0];
    CHECK(cal.layer(other.phase, true, other.batch, other.experts, other.sms).attn_ns ==
          mea.layer(other.phase, true, other.batch, other.experts, other.sms).attn_ns);
  }
  MeasuredRatios decode = all_ones(Phase::kDecode);
  decode.ops["mtp.q_b_proj"] = 3.0;
  const MeasuredLayerCostModel mtp(v3(), h800(), all_ones(Phase::kPrefill), decode);
  const Case& d = cases[0];
  CHECK(mtp.layer(d.phase, true, d.batch, d.experts, d.sms).attn_ns ==
        cal.layer(d.phase, true, d.batch, d.experts, d.sms).attn_ns);
  CHECK(mtp.step_overhead_ns(d.phase, d.batch, d.logits, d.sms) >
        cal.step_overhead_ns(d.phase, d.batch, d.logits, d.sms));
}

TEST_CASE("measured model from the registry reads ratio files beside the scenario") {
  MeasuredRatios decode = all_ones(Phase::kDecode);
  decode.gpu = "test GPU";
  decode.date = "2026-01-01T00:00:00Z";
  decode.executor = "model";
  decode.ops["o_proj"] = 1.5;
  const std::string file = write_temp("decode_ratios.json", measured_ratios_json(decode).dump(2));
  const std::string scenario = (std::filesystem::path(file).parent_path() / "scenario.json").string();
  const Json spec = {{"name", "measured"}, {"params", {{"decode_ratios", "decode_ratios.json"}}}};
  const auto model = from_registry(spec, scenario);
  REQUIRE(model->name() == "measured");
  const auto& m = dynamic_cast<const MeasuredLayerCostModel&>(*model);
  Operator o_proj;
  o_proj.name = "o_proj";
  CHECK(m.ratio(Phase::kDecode, o_proj) == 1.5);
  CHECK(m.ratio(Phase::kPrefill, o_proj) == 1.0);  // no prefill file: calibrated times
  o_proj.mtp = true;
  CHECK(m.ratio(Phase::kDecode, o_proj) == 1.0);  // "mtp.o_proj" is not in the file

  // Without any file the model is a mistake, not the calibrated model in disguise.
  CHECK_THROWS_AS(from_registry(Json("measured"), scenario), ConfigError);
}

TEST_CASE("malformed ratio files are ConfigErrors naming the file and the JSON path") {
  const Json good = measured_ratios_json(all_ones(Phase::kDecode));
  struct Bad {
    const char* name;
    std::function<void(Json&)> edit;
    const char* path;
  };
  const std::vector<Bad> cases = {
      {"string_ratio.json", [](Json& j) { j["ops"]["q_b_proj"] = "fast"; }, "/ops/q_b_proj"},
      {"zero_ratio.json", [](Json& j) { j["ops"]["o_proj"] = 0; }, "/ops/o_proj"},
      {"unknown_op.json", [](Json& j) { j["ops"]["q_c_proj"] = 1.0; }, "/ops/q_c_proj"},
      {"no_ops.json", [](Json& j) { j.erase("ops"); }, "/ops"},
      {"wrong_phase.json", [](Json& j) { j["phase"] = "prefill"; }, "/phase"},
      {"extra_key.json", [](Json& j) { j["gpus"] = 2; }, "/gpus"},
  };
  for (const Bad& b : cases) {
    Json doc = good;
    b.edit(doc);
    const std::string file = write_temp(b.name, doc.dump(2));
    const Json spec = {{"name", "measured"}, {"params", {{"decode_ratios", file}}}};
    try {
      from_registry(spec, "scenario.json");
      FAIL("no error for " << b.name);
    } catch (const ConfigError& e) {
      INFO(e.what());
      CHECK(e.file() == file);
      CHECK(e.json_path() == b.path);
    }
  }
  const std::string syntax = write_temp("syntax.json", "{\"phase\": ");
  try {
    from_registry({{"name", "measured"}, {"params", {{"decode_ratios", syntax}}}}, "scenario.json");
    FAIL("no error for a syntax error");
  } catch (const ConfigError& e) {
    CHECK(e.file() == syntax);
  }
}
