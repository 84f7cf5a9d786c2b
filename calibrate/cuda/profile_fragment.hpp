// Builds the hardware-profile fragment fleetsim_microbench writes: `measured_on` plus a
// `kernel_benchmarks` object whose tables follow hw_profiles/*.json. Host-only.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calibrate/cuda/bench_shapes.hpp"

namespace fleetsim::microbench {

using Json = nlohmann::json;

// What was measured on; every field comes from the CUDA runtime / driver at run time.
struct MeasuredOn {
  std::string date;  // ISO 8601 UTC, e.g. 2026-03-01T12:00:00Z
  std::string gpu_name;
  std::string compute_capability;  // "9.0"
  std::string driver_version;      // CUDA driver API version, e.g. "13.0"
  std::string cuda_runtime_version;
  std::string cublaslt_version;
  int sm_count = 0;
  double sm_clock_peak_hz = 0.0;
  double memory_clock_peak_hz = 0.0;
  double l2_bytes = 0.0;
  double hbm_bytes = 0.0;
  std::string mode;  // "full" or "quick"
};

// One table: free-form metadata (dtype, scaling, method, timing) and uniform rows.
struct BenchTable {
  std::string name;
  Json meta = Json::object();
  std::vector<Json> rows;
};

// Row builders: times in microseconds; derived rates use the bench_shapes formulas.
Json gemm_row(const GemmShape& s, double time_us, double ab_bytes_per_elem);
Json grouped_gemm_row(const GroupedGemmShape& s, double time_us, double ab_bytes_per_elem);
Json mla_decode_row(const MlaDecodeShape& s, double time_us);
Json prefill_attention_row(const PrefillAttentionShape& s, double time_us);
Json hbm_copy_row(const std::string& method, double bytes, double time_us);
Json elementwise_row(const ElementwiseShape& s, double time_us);

Json measured_on_json(const MeasuredOn& m);
Json make_profile_fragment(const MeasuredOn& m, const std::vector<BenchTable>& tables);

// Writes `doc` (2-space indent, trailing newline); throws std::runtime_error on I/O failure.
void write_json_file(const std::string& path, const Json& doc);

// The current time as ISO 8601 UTC (MeasuredOn::date's form).
std::string utc_now_iso();

}  // namespace fleetsim::microbench
