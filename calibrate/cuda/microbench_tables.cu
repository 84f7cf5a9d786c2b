// The timed tables: each shape gets enough independent input sets to rotate past L2, warm-up
// runs, then the median of event-timed repeats.
#include <cstdio>
#include <utility>

#include "calibrate/cuda/kernel_timing.cuh"
#include "calibrate/cuda/microbench_suite.cuh"

namespace fleetsim::microbench {
namespace {

Json timing_meta(const BenchPlan& plan) {
  return {{"warmup", plan.warmup_iters},
          {"repeats", plan.timed_iters},
          {"statistic", kTimingStatistic}};
}

TimingRuns runs_of(const BenchPlan& plan) { return {plan.warmup_iters, plan.timed_iters}; }

// Appends a measured row to its table and echoes it (long runs show progress row by row).
void add_row(BenchTable& t, Json row) {
  std::printf("  %-26s %s\n", t.name.c_str(), row.dump().c_str());
  std::fflush(stdout);
  t.rows.push_back(std::move(row));
}

BenchTable gemm_table(GpuContext& ctx, const std::string& name, GemmPrecision p,
                      const std::vector<GroupedGemmShape>& shapes, bool grouped,
                      const BenchPlan& plan, const std::string& layout_note) {
  BenchTable t;
  t.name = name;
  t.meta = {{"dtype", precision_name(p)},
            {"library", "cuBLASLt " + std::to_string(cublasLtGetVersion())},
            {"output_dtype", "bf16"},
            {"timing", timing_meta(plan)}};
  if (grouped) t.meta["method"] = layout_note;
  Json unsupported = Json::array();
  for (const auto& s : shapes) {
    std::string why;
    auto gemm = LtGemm::create(ctx.lt, p, {s.m, s.n, s.k}, &why);
    if (!gemm) {
      unsupported.push_back(why);
      continue;
    }
    ShapeTime st;
    try {
      st = time_gemm_parts(ctx, {{&*gemm, p, s, false}}, runs_of(plan));
    } catch (const CudaError& e) {
      // Offered by the heuristic, refused at run time: listed, not timed.
      unsupported.push_back("m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) +
                            " k=" + std::to_string(s.k) + ": " + e.what());
      continue;
    }
    const double eb = input_bytes_per_elem(p);
    Json row = grouped ? grouped_gemm_row(s, st.median_us, eb) : gemm_row({s.m, s.n, s.k}, st.median_us, eb);
    row["rotation_sets"] = st.rotation_sets;
    add_row(t, std::move(row));
  }
  if (!unsupported.empty()) t.meta["unsupported"] = unsupported;
  return t;
}

std::vector<GroupedGemmShape> as_single(const std::vector<GemmShape>& shapes) {
  std::vector<GroupedGemmShape> g;
  for (const auto& s : shapes) g.push_back({1, s.m, s.n, s.k});
  return g;
}

BenchTable mla_table(GpuContext& ctx, const BenchPlan& plan) {
  BenchTable t;
  t.name = "mla_decode";
  t.meta = {{"dtype", "bf16"},
            {"kernel", "fleetsim CUDA-core flash-decode kernel (no tensor cores; 16 heads per "
                       "block, one 64-token page per step), not FlashMLA"},
            {"timing", timing_meta(plan)}};
  for (const auto& s : plan.mla_decode) {
    Json row = mla_decode_row(s, time_mla_decode(ctx, s, 1, runs_of(plan)).median_us);
    add_row(t, std::move(row));
  }
  return t;
}

BenchTable prefill_table(GpuContext& ctx, const BenchPlan& plan) {
  BenchTable t;
  t.name = "attention_prefill";
  t.meta = {{"dtype", "bf16"},
            {"kernel", "fleetsim CUDA-core causal flash-attention kernel (no tensor cores; "
                       "64x64 tiles), not FlashAttention-3"},
            {"timing", timing_meta(plan)}};
  for (const auto& s : plan.attention_prefill) {
    Json row = prefill_attention_row(s, time_prefill_attention(ctx, s, runs_of(plan)).median_us);
    add_row(t, std::move(row));
  }
  return t;
}

BenchTable copy_table(GpuContext& ctx, const BenchPlan& plan) {
  BenchTable t;
  t.name = "hbm_copy";
  t.meta = {{"convention", "gb_per_s counts bytes read plus bytes written (2 x bytes)"},
            {"timing", timing_meta(plan)}};
  for (std::int64_t bytes_i : plan.hbm_copy_bytes) {
    const auto bytes = static_cast<std::size_t>(bytes_i);
    const double kernel_us = time_copy(ctx, bytes, CopyMethod::kKernel, runs_of(plan)).median_us;
    const double memcpy_us = time_copy(ctx, bytes, CopyMethod::kMemcpyAsync, runs_of(plan)).median_us;
    for (const auto& row : {hbm_copy_row("copy_kernel_16B", static_cast<double>(bytes), kernel_us),
                            hbm_copy_row("cudaMemcpyAsync_d2d", static_cast<double>(bytes), memcpy_us)}) {
      add_row(t, row);
    }
  }
  return t;
}

BenchTable elementwise_table(GpuContext& ctx, const BenchPlan& plan) {
  BenchTable t;
  t.name = "elementwise";
  t.meta = {{"dtype", "bf16 in/out; fp8_quant writes e4m3 codes and fp32 scales per 128 channels"},
            {"convention", "gb_per_s = minimum bytes (inputs once, outputs once) / time"},
            {"timing", timing_meta(plan)}};
  for (const auto& s : plan.elementwise) {
    Json row = elementwise_row(s, time_elementwise(ctx, s, runs_of(plan)).median_us);
    add_row(t, std::move(row));
  }
  return t;
}

// hw_profiles/h800.json tags each kernel_benchmarks table with the cost-model class it informs,
// its precision, whether calibrate/kernels should fit it, and its metric.
void tag(BenchTable& t, const char* kernel_class, const char* precision, bool fit,
         const char* metric) {
  t.meta["kernel_class"] = kernel_class;
  t.meta["precision"] = precision;
  t.meta["fit"] = fit;
  t.meta["metric"] = metric;
}

const char* precision_tag(GemmPrecision p) { return p == GemmPrecision::kBf16 ? "bf16" : "fp8"; }

constexpr const char* kGemmMetric =
    "tflops = 2*m*n*k / time; gb_per_s = (m*k + k*n) * input bytes + 2*m*n bytes / time";
constexpr const char* kGroupedMetric =
    "m is per group; tflops = 2*groups*m*n*k / time; gb_per_s counts every group's operands";

}  // namespace

std::vector<BenchTable> run_tables(GpuContext& ctx, const BenchPlan& plan,
                                   const GemmCapabilities& caps,
                                   const std::optional<std::string>& only) {
  auto wanted = [&](const char* n) { return !only || *only == n; };
  std::vector<BenchTable> tables;
  const std::string loop_note =
      "one cublasLtMatmul per group on one stream (this cuBLASLt has no grouped batch mode); "
      "groups of equal m, operands contiguous per group";
  if (wanted("dense_gemm")) {
    BenchTable t = gemm_table(ctx, "dense_gemm", caps.fp8, as_single(plan.dense_gemm), false, plan, "");
    t.meta["scaling"] = caps.fp8_note;
    tag(t, "dense_gemm", precision_tag(caps.fp8), true, kGemmMetric);
    tables.push_back(std::move(t));
  }
  if (wanted("dense_gemm_fp8_per_tensor")) {
    BenchTable t = gemm_table(ctx, "dense_gemm_fp8_per_tensor", GemmPrecision::kFp8PerTensor,
                              as_single(plan.dense_gemm), false, plan, "");
    tag(t, "dense_gemm", "fp8", false, kGemmMetric);
    tables.push_back(std::move(t));
  }
  if (wanted("dense_gemm_bf16")) {
    BenchTable t = gemm_table(ctx, "dense_gemm_bf16", GemmPrecision::kBf16,
                              as_single(plan.dense_gemm), false, plan, "");
    tag(t, "dense_gemm", "bf16", false, kGemmMetric);
    tables.push_back(std::move(t));
  }
  if (wanted("grouped_gemm_contiguous")) {
    BenchTable t = gemm_table(ctx, "grouped_gemm_contiguous", caps.fp8,
                              plan.grouped_gemm_contiguous, true, plan, loop_note);
    t.meta["scaling"] = caps.fp8_note;
    tag(t, "grouped_gemm_contiguous", precision_tag(caps.fp8), true, kGroupedMetric);
    tables.push_back(std::move(t));
  }
  if (wanted("grouped_gemm_masked")) {
    BenchTable t = gemm_table(ctx, "grouped_gemm_masked", caps.fp8, plan.grouped_gemm_masked,
                              true, plan,
                              loop_note + "; masked layout timed with every group full (m = the "
                                          "per-group row count), as DeepGEMM's table");
    t.meta["scaling"] = caps.fp8_note;
    tag(t, "grouped_gemm_masked", precision_tag(caps.fp8), true, kGroupedMetric);
    tables.push_back(std::move(t));
  }
  // Our attention kernels are plain CUDA-core kernels, not FlashMLA/FA3: not fitted by default.
  if (wanted("mla_decode")) {
    tables.push_back(mla_table(ctx, plan));
    tag(tables.back(), "mla_decode", "bf16", false,
        "tflops = 2*h*s_q*s_k*(d_k+d_v) / time; gb_per_s = (KV + Q + O bytes) / time");
  }
  if (wanted("attention_prefill")) {
    tables.push_back(prefill_table(ctx, plan));
    tag(tables.back(), "attention_prefill", "bf16", false,
        "causal: tflops = 2*h*(s*(s+1)/2)*(d_qk+d_v) / time; gb_per_s = (Q+K+V+O bytes) / time");
  }
  if (wanted("hbm_copy")) {
    tables.push_back(copy_table(ctx, plan));
    tag(tables.back(), "hbm_copy", "bytes", false, "gb_per_s = 2 * bytes / time (read + write)");
  }
  if (wanted("elementwise")) {
    tables.push_back(elementwise_table(ctx, plan));
    tag(tables.back(), "elementwise", "bf16", false,
        "gb_per_s = minimum bytes (inputs once, outputs once) / time");
  }
  return tables;
}

}  // namespace fleetsim::microbench
