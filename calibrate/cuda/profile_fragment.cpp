// Hardware-profile fragment writer of fleetsim_microbench.
#include "calibrate/cuda/profile_fragment.hpp"

#include <cmath>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace fleetsim::microbench {
namespace {

constexpr double kBf16Bytes = 2.0;
constexpr double kUsPerS = 1e6;
constexpr double kTera = 1e12;
constexpr double kGiga = 1e9;

// Four significant digits keep the files readable; timing noise is larger than that.
double sig4(double x) {
  if (x == 0.0 || !std::isfinite(x)) return x;
  const double mag = std::pow(10.0, 3 - static_cast<int>(std::floor(std::log10(std::fabs(x)))));
  return std::round(x * mag) / mag;
}

double per_s(double quantity, double time_us) { return quantity / (time_us / kUsPerS); }

}  // namespace

Json gemm_row(const GemmShape& s, double time_us, double ab_bytes_per_elem) {
  return {{"m", s.m},
          {"n", s.n},
          {"k", s.k},
          {"tflops", sig4(per_s(gemm_flops(s), time_us) / kTera)},
          {"gb_per_s", sig4(per_s(gemm_bytes(s, ab_bytes_per_elem, kBf16Bytes), time_us) / kGiga)},
          {"time_us", sig4(time_us)}};
}

Json grouped_gemm_row(const GroupedGemmShape& s, double time_us, double ab_bytes_per_elem) {
  return {{"groups", s.groups},
          {"m", s.m},
          {"n", s.n},
          {"k", s.k},
          {"tflops", sig4(per_s(grouped_gemm_flops(s), time_us) / kTera)},
          {"gb_per_s",
           sig4(per_s(grouped_gemm_bytes(s, ab_bytes_per_elem, kBf16Bytes), time_us) / kGiga)},
          {"time_us", sig4(time_us)}};
}

Json mla_decode_row(const MlaDecodeShape& s, double time_us) {
  return {{"batch", s.batch},
          {"seqlen_k", s.seqlen_k},
          {"heads", s.heads},
          {"s_q", 1},
          {"d_qk", s.d_qk},
          {"d_v", s.d_v},
          {"page_tokens", s.page_tokens},
          {"tflops", sig4(per_s(mla_decode_flops(s), time_us) / kTera)},
          {"gb_per_s", sig4(per_s(mla_decode_bytes(s), time_us) / kGiga)},
          {"time_us", sig4(time_us)}};
}

Json prefill_attention_row(const PrefillAttentionShape& s, double time_us) {
  return {{"seqlen", s.seqlen},
          {"heads", s.heads},
          {"d_qk", s.d_qk},
          {"d_v", s.d_v},
          {"causal", true},
          {"tflops", sig4(per_s(prefill_attention_flops(s), time_us) / kTera)},
          {"gb_per_s", sig4(per_s(prefill_attention_bytes(s), time_us) / kGiga)},
          {"time_us", sig4(time_us)}};
}

Json hbm_copy_row(const std::string& method, double bytes, double time_us) {
  // Bytes read plus bytes written, the usual device-to-device convention (METHOD.md).
  return {{"method", method},
          {"bytes", bytes},
          {"gb_per_s", sig4(per_s(2.0 * bytes, time_us) / kGiga)},
          {"time_us", sig4(time_us)}};
}

Json elementwise_row(const ElementwiseShape& s, double time_us) {
  return {{"op", s.op},
          {"rows", s.rows},
          {"width", s.width},
          {"gb_per_s", sig4(per_s(elementwise_bytes(s), time_us) / kGiga)},
          {"time_us", sig4(time_us)}};
}

Json measured_on_json(const MeasuredOn& m) {
  return {{"date", m.date},
          {"gpu", m.gpu_name},
          {"compute_capability", m.compute_capability},
          {"driver_version", m.driver_version},
          {"cuda_runtime_version", m.cuda_runtime_version},
          {"cublaslt_version", m.cublaslt_version},
          {"sm_count", m.sm_count},
          {"clocks", {{"sm_peak_hz", m.sm_clock_peak_hz}, {"memory_peak_hz", m.memory_clock_peak_hz}}},
          {"l2_bytes", m.l2_bytes},
          {"hbm_bytes", m.hbm_bytes},
          {"tool", "calibrate/cuda/fleetsim_microbench (" + m.mode + " plan)"}};
}

Json make_profile_fragment(const MeasuredOn& m, const std::vector<BenchTable>& tables) {
  Json benchmarks = Json::object();
  benchmarks["source"] =
      "measured by calibrate/cuda/fleetsim_microbench on " + m.gpu_name + ", " + m.date +
      "; median of event-timed repeats after warm-up, inputs rotated past L2 "
      "(docs/cuda-microbench.md)";
  for (const auto& t : tables) {
    Json table = t.meta;
    if (!table.contains("date")) table["date"] = m.date;
    if (!table.contains("source"))
      table["source"] = "measured by fleetsim_microbench on " + m.gpu_name + " (measured_on)";
    table["rows"] = t.rows;
    benchmarks[t.name] = std::move(table);
  }
  return {{"_schema", "docs/cuda-microbench.md#output"},
          {"measured_on", measured_on_json(m)},
          {"kernel_benchmarks", std::move(benchmarks)}};
}

void write_json_file(const std::string& path, const Json& doc) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot open " + path + " for writing");
  out << doc.dump(2) << '\n';
  if (!out) throw std::runtime_error("failed writing " + path);
}

std::string utc_now_iso() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace fleetsim::microbench
