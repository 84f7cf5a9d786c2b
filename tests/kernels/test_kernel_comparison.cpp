// The comparison of a profile's kernel model with GPU measurements: rows the model itself would
// produce compare at zero error, a slowed row shows its slowdown, step operators are weighted by
// how often a step runs them, and malformed input names its file and JSON path.
#include <catch2/catch.hpp>

#include <string>

#include "calibrate/kernels/kernel_comparison.hpp"
#include "sim/util/config_error.hpp"
#include "tests/fixtures.hpp"

using namespace fleetsim;

namespace {

// A microbench fragment whose GEMM and elementwise rows take the model's own predicted times,
// the first dense row `slowdown` times slower.
Json fragment_from_model(double slowdown) {
  const HardwareSpec& hw = test::h800();
  const KernelCostModel model(hw.gpu, parse_kernel_model(hw));
  Json dense = {{"kernel_class", "dense_gemm"}, {"precision", "fp8"}, {"rows", Json::array()}};
  for (const auto& [m, n, k] : {std::tuple{64, 2112, 7168}, {4096, 7168, 2048}}) {
    Operator op;
    op.cls = OpClass::kDenseGemm;
    op.precision = OpPrecision::kFp8;
    op.m = m;
    op.n = n;
    op.k = k;
    op.flops = gemm_flops(m, n, k);
    op.bytes = gemm_bytes(m, n, k, 1, 1.0, 2.0);
    double us = model.cost(op, hw.gpu.sm_count).time_s * 1e6;
    if (dense["rows"].empty()) us *= slowdown;
    dense["rows"].push_back({{"m", m}, {"n", n}, {"k", k}, {"time_us", us}});
  }
  Operator ew;
  ew.cls = OpClass::kElementwise;
  ew.bytes = 1e8;
  const double ew_us = model.cost(ew, hw.gpu.sm_count).time_s * 1e6;
  Json elementwise = {{"kernel_class", "elementwise"},
                      {"precision", "bf16"},
                      {"rows", {{{"op", "rmsnorm"}, {"rows", 4096}, {"width", 7168},
                                 {"time_us", ew_us}, {"gb_per_s", ew.bytes / (ew_us * 1e-6) / 1e9}}}}};
  Json mla = {{"kernel_class", "mla_decode"}, {"precision", "bf16"}, {"rows", Json::array()}};
  return {{"measured_on", {{"gpu", "test GPU"}, {"date", "2026-11-30"}, {"sm_count", hw.gpu.sm_count}}},
          {"kernel_benchmarks",
           {{"source", "test"}, {"dense", dense}, {"elementwise", elementwise}, {"mla", mla}}}};
}

const MeasuredKernelTable& table(const KernelComparison& c, const std::string& name) {
  for (const MeasuredKernelTable& t : c.tables)
    if (t.name == name) return t;
  FAIL("table " << name << " missing");
  return c.tables.front();
}

}  // namespace

TEST_CASE("rows at the model's own times compare at zero error; a slowed row shows it") {
  const Json f = fragment_from_model(1.25);
  const KernelComparison c = compare_kernel_tables(test::h800(), JsonReader(f, "fragment.json"));
  const MeasuredKernelTable& dense = table(c, "dense");
  REQUIRE(dense.rows.size() == 2);
  CHECK(dense.rows[0].error == Approx(1 / 1.25 - 1));  // measured slower: error below zero
  CHECK(dense.rows[1].error == Approx(0).margin(1e-9));
  CHECK(dense.max_abs_error == Approx(0.2));
  CHECK(table(c, "elementwise").rows[0].error == Approx(0).margin(1e-9));
  // Our plain attention kernels are listed as not compared, with the reason.
  REQUIRE(c.skipped.size() == 1);
  CHECK(c.skipped[0].rfind("mla: ", 0) == 0);
  const std::string md = kernel_comparison_markdown(c);
  CHECK(md.find("| dense | dense_gemm | fp8 | 2 |") != std::string::npos);
  CHECK(kernel_comparison_csv(c).find("dense,dense_gemm,fp8,m=64 n=2112 k=7168,") != std::string::npos);
}

TEST_CASE("step operators are weighted by microbatches x layers, step operators once") {
  const Json v = {
      {"phase", "decode"},
      {"device", "test GPU"},
      {"step", {{"description", "d"}, {"microbatches", 2}, {"moe_layers", 3}, {"dense_layers", 1}}},
      {"ops",
       {{{"section", "moe_layer"}, {"name", "o_proj"}, {"class", "dense_gemm"},
         {"predicted_ns", 10}, {"executed_ns", 20}},
        {{"section", "dense_layer"}, {"name", "o_proj"}, {"class", "dense_gemm"},
         {"predicted_ns", 10}, {"executed_ns", 10}},
        {{"section", "step_ops"}, {"name", "lm_head"}, {"class", "dense_gemm"},
         {"predicted_ns", 100}, {"executed_ns", 100}},
        {{"section", "moe_layer"}, {"name", "mla_decode"}, {"class", "mla_decode"},
         {"predicted_ns", 5}, {"executed_ns", 50}}}}};
  const StepComparison s = compare_step_validation(JsonReader(v, "step.json"));
  REQUIRE(s.classes.size() == 2);
  CHECK(s.classes[0].kernel_class == "dense_gemm");
  CHECK(s.classes[0].operators == 3);
  CHECK(s.classes[0].predicted_ns == Approx(6 * 10 + 2 * 10 + 100));
  CHECK(s.classes[0].executed_ns == Approx(6 * 20 + 2 * 10 + 100));
  CHECK(s.predicted_ns == Approx(180 + 6 * 5));
  CHECK(s.executed_ns == Approx(240 + 6 * 50));
  CHECK(s.predicted_no_attention_ns == Approx(180));
  CHECK(s.executed_no_attention_ns == Approx(240));
  CHECK(s.predicted_gemm_ns == Approx(180));
}

TEST_CASE("a malformed fragment names its file and JSON path") {
  Json f = fragment_from_model(1.0);
  f["kernel_benchmarks"]["dense"]["rows"][1].erase("time_us");
  try {
    compare_kernel_tables(test::h800(), JsonReader(f, "fragment.json"));
    FAIL("no error");
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find("fragment.json") != std::string::npos);
    CHECK(what.find("/kernel_benchmarks/dense/rows/1/time_us") != std::string::npos);
  }
  f = fragment_from_model(1.0);
  f["kernel_benchmarks"]["dense"]["kernel_class"] = "conv2d";
  CHECK_THROWS_AS(compare_kernel_tables(test::h800(), JsonReader(f, "fragment.json")), ConfigError);
}
