// The timed tables: each shape gets enough independent input sets to rotate past L2, warm-up
// runs, then the median of event-timed repeats.
#include <cmath>
#include <cstdio>

#include "calibrate/cuda/attention_kernels.cuh"
#include "calibrate/cuda/memory_kernels.cuh"
#include "calibrate/cuda/microbench_suite.cuh"
#include "calibrate/cuda/sample_stats.hpp"

namespace fleetsim::microbench {
namespace {

constexpr int kMaxRotationSets = 16;
constexpr float kFp8FillAmplitude = 8.0f;   // well inside e4m3 range, products stay finite
constexpr float kBf16FillAmplitude = 1.0f;
constexpr float kScaleLo = 0.01f, kScaleHi = 0.02f;
const float kMlaSoftmaxScale = 1.0f / std::sqrt(192.0f);  // facts 2: qk head dim 192

std::uint64_t g_seed = 1;  // each fill draws a fresh stream

Json timing_meta(const BenchPlan& plan) {
  return {{"warmup", plan.warmup_iters},
          {"repeats", plan.timed_iters},
          {"statistic", "median of CUDA-event times"}};
}

double median_us(const std::function<void(int)>& op, int rotations, const BenchPlan& plan) {
  return summarize(time_runs_us(op, rotations, plan.warmup_iters, plan.timed_iters)).median;
}

void fill_input(DeviceBuffer& d, GemmPrecision p) {
  if (p == GemmPrecision::kBf16)
    fill_random_bf16(d, d.bytes() / 2, ++g_seed, kBf16FillAmplitude);
  else
    fill_random_fp8(d, d.bytes(), ++g_seed, kFp8FillAmplitude);
}

void fill_scales(DeviceBuffer& d) {
  if (d.bytes() > 0) fill_random_f32(d, d.bytes() / sizeof(float), ++g_seed, kScaleLo, kScaleHi);
}

void log_row(const std::string& table, const Json& row) {
  std::printf("  %-26s %s\n", table.c_str(), row.dump().c_str());
  std::fflush(stdout);
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
    const double set_bytes = grouped_gemm_bytes(s, input_bytes_per_elem(p), 2.0);
    const int sets = rotation_sets(set_bytes, ctx.l2_bytes, kMaxRotationSets);
    std::vector<GroupedOperands> ops;
    for (int i = 0; i < sets; ++i) {
      ops.push_back(make_grouped_operands(p, s));
      fill_input(ops.back().act, p);
      fill_input(ops.back().w, p);
      fill_scales(ops.back().act_scale);
      fill_scales(ops.back().w_scale);
    }
    const double us = median_us(
        [&](int r) { run_grouped(*gemm, p, s, ops[static_cast<std::size_t>(r)], ctx.workspace.as()); },
        sets, plan);
    const double eb = input_bytes_per_elem(p);
    Json row = grouped ? grouped_gemm_row(s, us, eb) : gemm_row({s.m, s.n, s.k}, us, eb);
    row["rotation_sets"] = sets;
    log_row(name, row);
    t.rows.push_back(row);
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
    const int batch = static_cast<int>(s.batch), heads = static_cast<int>(s.heads);
    const int max_pages = static_cast<int>((s.seqlen_k + kMlaPageTokens - 1) / kMlaPageTokens);
    const std::size_t pages = static_cast<std::size_t>(batch) * max_pages;
    const int sets = rotation_sets(mla_decode_bytes(s), ctx.l2_bytes, kMaxRotationSets);
    struct Set {
      DeviceBuffer q, kv, out;
    };
    std::vector<Set> sv;
    for (int i = 0; i < sets; ++i) {
      Set x{DeviceBuffer(static_cast<std::size_t>(batch * heads * kMlaDqk) * 2),
            DeviceBuffer(pages * kMlaPageTokens * kMlaDqk * 2),
            DeviceBuffer(static_cast<std::size_t>(batch * heads * kMlaDv) * 2)};
      fill_random_bf16(x.q, x.q.bytes() / 2, ++g_seed, kBf16FillAmplitude);
      fill_random_bf16(x.kv, x.kv.bytes() / 2, ++g_seed, kBf16FillAmplitude);
      sv.push_back(std::move(x));
    }
    // Pages interleaved across sequences, as a paged allocator hands them out.
    std::vector<int> table(pages);
    for (int b = 0; b < batch; ++b)
      for (int p = 0; p < max_pages; ++p) table[static_cast<std::size_t>(b * max_pages + p)] = p * batch + b;
    DeviceBuffer d_table = upload(table);
    DeviceBuffer d_len = upload(std::vector<int>(static_cast<std::size_t>(batch), static_cast<int>(s.seqlen_k)));
    const double us = median_us(
        [&](int r) {
          const Set& x = sv[static_cast<std::size_t>(r)];
          launch_mla_decode(x.q.as<__nv_bfloat16>(), x.kv.as<__nv_bfloat16>(), d_table.as<int>(),
                            max_pages, d_len.as<int>(), batch, heads, kMlaSoftmaxScale,
                            x.out.as<__nv_bfloat16>(), nullptr);
        },
        sets, plan);
    Json row = mla_decode_row(s, us);
    log_row(t.name, row);
    t.rows.push_back(row);
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
    const int n = static_cast<int>(s.seqlen), heads = static_cast<int>(s.heads);
    const std::size_t qk = static_cast<std::size_t>(n) * heads * kPrefillDqk * 2;
    const std::size_t vo = static_cast<std::size_t>(n) * heads * kPrefillDv * 2;
    const int sets = rotation_sets(prefill_attention_bytes(s), ctx.l2_bytes, kMaxRotationSets);
    struct Set {
      DeviceBuffer q, k, v, out;
    };
    std::vector<Set> sv;
    for (int i = 0; i < sets; ++i) {
      Set x{DeviceBuffer(qk), DeviceBuffer(qk), DeviceBuffer(vo), DeviceBuffer(vo)};
      fill_random_bf16(x.q, qk / 2, ++g_seed, kBf16FillAmplitude);
      fill_random_bf16(x.k, qk / 2, ++g_seed, kBf16FillAmplitude);
      fill_random_bf16(x.v, vo / 2, ++g_seed, kBf16FillAmplitude);
      sv.push_back(std::move(x));
    }
    const double us = median_us(
        [&](int r) {
          const Set& x = sv[static_cast<std::size_t>(r)];
          launch_prefill_attention(x.q.as<__nv_bfloat16>(), x.k.as<__nv_bfloat16>(),
                                   x.v.as<__nv_bfloat16>(), n, heads, kMlaSoftmaxScale,
                                   x.out.as<__nv_bfloat16>(), nullptr);
        },
        sets, plan);
    Json row = prefill_attention_row(s, us);
    log_row(t.name, row);
    t.rows.push_back(row);
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
    const int sets = rotation_sets(2.0 * static_cast<double>(bytes), ctx.l2_bytes, kMaxRotationSets);
    std::vector<DeviceBuffer> src, dst;
    for (int i = 0; i < sets; ++i) {
      src.emplace_back(bytes);
      dst.emplace_back(bytes);
      fill_random_f32(src.back(), bytes / 4, ++g_seed, -1.0f, 1.0f);
    }
    const double kernel_us = median_us(
        [&](int r) {
          launch_copy(src[static_cast<std::size_t>(r)].as(), dst[static_cast<std::size_t>(r)].as(),
                      bytes, ctx.sm_count, nullptr);
        },
        sets, plan);
    const double memcpy_us = median_us(
        [&](int r) {
          FS_CUDA(cudaMemcpyAsync(dst[static_cast<std::size_t>(r)].as(),
                                  src[static_cast<std::size_t>(r)].as(), bytes,
                                  cudaMemcpyDeviceToDevice, nullptr));
        },
        sets, plan);
    for (const auto& row : {hbm_copy_row("copy_kernel_16B", static_cast<double>(bytes), kernel_us),
                            hbm_copy_row("cudaMemcpyAsync_d2d", static_cast<double>(bytes), memcpy_us)}) {
      log_row(t.name, row);
      t.rows.push_back(row);
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
    const int rows = static_cast<int>(s.rows), width = static_cast<int>(s.width);
    const int sets = rotation_sets(elementwise_bytes(s), ctx.l2_bytes, kMaxRotationSets);
    const std::size_t in_elems = static_cast<std::size_t>(rows) * width * (s.op == "swiglu" ? 2 : 1);
    struct Set {
      DeviceBuffer in, out, scales;
    };
    std::vector<Set> sv;
    for (int i = 0; i < sets; ++i) {
      Set x{DeviceBuffer(in_elems * 2), DeviceBuffer(static_cast<std::size_t>(rows) * width * 2),
            DeviceBuffer(static_cast<std::size_t>(rows) * (width / kQuantGroup) * sizeof(float))};
      fill_random_bf16(x.in, in_elems, ++g_seed, 4.0f);
      sv.push_back(std::move(x));
    }
    DeviceBuffer weight(static_cast<std::size_t>(width) * 2);
    fill_random_bf16(weight, static_cast<std::size_t>(width), ++g_seed, 1.0f);
    const double us = median_us(
        [&](int r) {
          Set& x = sv[static_cast<std::size_t>(r)];
          if (s.op == "rmsnorm")
            launch_rmsnorm(x.in.as<__nv_bfloat16>(), weight.as<__nv_bfloat16>(), rows, width,
                           kRmsNormEps, x.out.as<__nv_bfloat16>(), nullptr);
          else if (s.op == "swiglu")
            launch_swiglu(x.in.as<__nv_bfloat16>(), rows, width, x.out.as<__nv_bfloat16>(),
                          ctx.sm_count, nullptr);
          else
            launch_fp8_quant(x.in.as<__nv_bfloat16>(), rows, width, x.out.as<__nv_fp8_e4m3>(),
                             x.scales.as<float>(), nullptr);
        },
        sets, plan);
    Json row = elementwise_row(s, us);
    log_row(t.name, row);
    t.rows.push_back(row);
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

GroupedOperands make_grouped_operands(GemmPrecision p, const GroupedGemmShape& s) {
  const double eb = input_bytes_per_elem(p);
  const GemmShape one{s.m, s.n, s.k};
  const auto g = static_cast<std::size_t>(s.groups);
  return {DeviceBuffer(static_cast<std::size_t>(static_cast<double>(s.groups * s.m * s.k) * eb)),
          DeviceBuffer(static_cast<std::size_t>(static_cast<double>(s.groups * s.n * s.k) * eb)),
          DeviceBuffer(static_cast<std::size_t>(s.groups * s.m * s.n) * 2),
          DeviceBuffer(g * activation_scale_count(p, one) * sizeof(float)),
          DeviceBuffer(g * weight_scale_count(p, one) * sizeof(float))};
}

void run_grouped(const LtGemm& gemm, GemmPrecision p, const GroupedGemmShape& s,
                 const GroupedOperands& ops, void* workspace) {
  const GemmShape one{s.m, s.n, s.k};
  const auto eb = static_cast<std::size_t>(input_bytes_per_elem(p));
  const std::size_t act_step = static_cast<std::size_t>(s.m * s.k) * eb;
  const std::size_t w_step = static_cast<std::size_t>(s.n * s.k) * eb;
  const std::size_t out_step = static_cast<std::size_t>(s.m * s.n) * 2;
  const std::size_t as_step = activation_scale_count(p, one), ws_step = weight_scale_count(p, one);
  for (std::int64_t grp = 0; grp < s.groups; ++grp) {
    const auto g = static_cast<std::size_t>(grp);
    const float* w_scale = ws_step > 0 ? ops.w_scale.as<float>() + g * ws_step : nullptr;
    const float* a_scale = as_step > 0 ? ops.act_scale.as<float>() + g * as_step : nullptr;
    gemm.run(ops.w.as<std::uint8_t>() + g * w_step, w_scale, ops.act.as<std::uint8_t>() + g * act_step,
             a_scale, ops.out.as<std::uint8_t>() + g * out_step, workspace, nullptr);
  }
}

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
