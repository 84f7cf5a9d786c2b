// The hardware-profile fragment the microbenchmark writes: row fields, derived rates, layout.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "calibrate/cuda/profile_fragment.hpp"

using namespace fleetsim::microbench;

TEST_CASE("GEMM rows carry m, n, k, tflops, gb_per_s (and groups when grouped)") {
  // 2*64*2112*7168 FLOP in 9.4066 us = 206.0 TFLOPS (DeepGEMM's row).
  const Json row = gemm_row({64, 2112, 7168}, 9.4066, 1.0);
  CHECK(row.at("m") == 64);
  CHECK(row.at("n") == 2112);
  CHECK(row.at("k") == 7168);
  CHECK(row.at("tflops").get<double>() == Approx(206.0).epsilon(1e-3));
  CHECK(row.at("gb_per_s").get<double>() == Approx(1687).epsilon(1e-3));
  CHECK_FALSE(row.contains("groups"));
  const Json g = grouped_gemm_row({4, 8192, 4096, 7168}, 1429.5, 1.0);
  CHECK(g.at("groups") == 4);
  CHECK(g.at("tflops").get<double>() == Approx(1346).epsilon(1e-3));
}

TEST_CASE("copy rows count read plus write bytes") {
  const Json row = hbm_copy_row("copy_kernel_16B", 1e9, 1000.0);  // 2 GB moved in 1 ms
  CHECK(row.at("gb_per_s").get<double>() == Approx(2000.0));
}

TEST_CASE("fragment layout: measured_on and kernel_benchmarks tables with rows") {
  MeasuredOn m;
  m.date = "2026-01-01T00:00:00Z";
  m.gpu_name = "NVIDIA H200";
  m.sm_count = 132;
  m.mode = "quick";
  BenchTable t;
  t.name = "dense_gemm";
  t.meta = {{"dtype", "fp8"}};
  t.rows.push_back(gemm_row({128, 7168, 2048}, 10.0, 1.0));
  const Json doc = make_profile_fragment(m, {t});
  CHECK(doc.at("measured_on").at("gpu") == "NVIDIA H200");
  CHECK(doc.at("measured_on").at("sm_count") == 132);
  CHECK(doc.at("measured_on").contains("clocks"));
  CHECK(doc.at("measured_on").contains("driver_version"));
  CHECK(doc.at("measured_on").contains("cuda_runtime_version"));
  const Json& kb = doc.at("kernel_benchmarks");
  CHECK(kb.at("source").get<std::string>().find("NVIDIA H200") != std::string::npos);
  CHECK(kb.at("dense_gemm").at("dtype") == "fp8");
  REQUIRE(kb.at("dense_gemm").at("rows").size() == 1);
  CHECK(kb.at("dense_gemm").at("rows")[0].at("k") == 2048);
}

TEST_CASE("write_json_file round-trips and reports unwritable paths") {
  const std::string path = "calibrate_profile_fragment_test.json";
  const Json doc = {{"a", 1.5}};
  write_json_file(path, doc);
  std::ifstream in(path);
  CHECK(Json::parse(in) == doc);
  std::remove(path.c_str());
  CHECK_THROWS_AS(write_json_file("/nonexistent-dir/x.json", doc), std::runtime_error);
}

TEST_CASE("every table gets a date and a source, as hw_profiles tables carry") {
  MeasuredOn m;
  m.date = "2026-01-02T03:04:05Z";
  m.gpu_name = "GPU X";
  BenchTable t;
  t.name = "hbm_copy";
  const Json doc = make_profile_fragment(m, {t});
  CHECK(doc.at("kernel_benchmarks").at("hbm_copy").at("date") == m.date);
  CHECK(doc.at("kernel_benchmarks").at("hbm_copy").at("source").get<std::string>().find("GPU X") !=
        std::string::npos);
}
