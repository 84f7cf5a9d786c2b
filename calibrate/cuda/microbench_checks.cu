// Correctness checks of every timed kernel on small shapes, against the CPU references in double.
// Inputs are fresh random draws per check; outputs are poisoned first so unwritten elements fail.
#include <cmath>
#include <cstring>

#include "calibrate/cuda/attention_kernels.cuh"
#include "calibrate/cuda/cpu_reference.hpp"
#include "calibrate/cuda/memory_kernels.cuh"
#include "calibrate/cuda/microbench_suite.cuh"
#include "sim/engine/rng.hpp"

namespace fleetsim::microbench {
namespace {

constexpr std::uint64_t kCheckSeed = 20250225;  // root seed of the check inputs
// METHOD.md: BF16 operands land between 1e-3 and 1e-2; our outputs are rounded to BF16 too.
constexpr double kBf16Tolerance = 1e-2;
// MLA softmax scale: 1/sqrt(qk head dim 192) (facts 2: 128 nope + 64 rope).
const float kMlaSoftmaxScale = 1.0f / std::sqrt(192.0f);
constexpr std::int64_t kBlock = 128;
constexpr int kMagnitudeSpread = 3;  // per-block magnitudes 2^-3 .. 2^3 expose scale-layout bugs

std::vector<float> random_floats(Rng& rng, std::size_t n, double amp) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.uniform(-amp, amp));
  return v;
}

// rows x cols values whose magnitude changes per (block_rows x 128-column) block.
std::vector<float> blocky_floats(Rng& rng, std::int64_t rows, std::int64_t cols,
                                 std::int64_t block_rows) {
  const std::int64_t rb = (rows + block_rows - 1) / block_rows, cb = (cols + kBlock - 1) / kBlock;
  std::vector<float> mag(static_cast<std::size_t>(rb * cb));
  for (auto& m : mag)
    m = std::ldexp(1.0f, static_cast<int>(rng.uniform(-kMagnitudeSpread, kMagnitudeSpread + 1)));
  std::vector<float> v(static_cast<std::size_t>(rows * cols));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c)
      v[static_cast<std::size_t>(r * cols + c)] =
          static_cast<float>(rng.uniform(-1.0, 1.0)) *
          mag[static_cast<std::size_t>((r / block_rows) * cb + c / kBlock)];
  return v;
}

std::vector<std::uint16_t> to_bf16_bits(const std::vector<float>& v) {
  std::vector<std::uint16_t> b(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) b[i] = float_to_bf16(v[i]);
  return b;
}

std::vector<float> bf16_rounded(const std::vector<float>& v) {
  std::vector<float> r(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) r[i] = round_to_bf16(v[i]);
  return r;
}

std::vector<float> download_bf16(const DeviceBuffer& d, std::size_t n) {
  const auto bits = download<std::uint16_t>(d, n);
  std::vector<float> f(n);
  for (std::size_t i = 0; i < n; ++i) f[i] = bf16_to_float(bits[i]);
  return f;
}

std::vector<float> transpose(const std::vector<float>& v, std::int64_t rows, std::int64_t cols) {
  std::vector<float> t(v.size());
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c)
      t[static_cast<std::size_t>(c * rows + r)] = v[static_cast<std::size_t>(r * cols + c)];
  return t;
}

CheckResult judge(const std::string& name, double error, double tolerance,
                  const std::string& note = "") {
  return {name, error, tolerance, error <= tolerance, note};
}

// Host operands of one GEMM (or one group of a grouped GEMM) in the device layouts, with the
// reference product of the values the GEMM actually sees.
struct GemmCase {
  std::vector<std::uint8_t> act, w;  // raw bytes (FP8 codes or BF16 bits)
  std::vector<float> act_scale, w_scale;
  std::vector<double> ref;
};

GemmCase make_gemm_case(GemmPrecision p, const GemmShape& s, Rng& rng) {
  GemmCase c;
  const auto a_vals = blocky_floats(rng, s.m, s.k, 1);
  const auto w_vals = blocky_floats(rng, s.n, s.k, kBlock);
  auto bytes_of = [](const std::vector<std::uint16_t>& bits) {
    std::vector<std::uint8_t> b(bits.size() * 2);
    std::memcpy(b.data(), bits.data(), b.size());
    return b;
  };
  if (p == GemmPrecision::kBf16) {
    c.act = bytes_of(to_bf16_bits(a_vals));
    c.w = bytes_of(to_bf16_bits(w_vals));
    c.ref = reference_gemm_nt(bf16_rounded(a_vals), bf16_rounded(w_vals), s.m, s.n, s.k);
    return c;
  }
  const QuantizedMatrix qa = p == GemmPrecision::kFp8BlockScaled
                                 ? quantize_per_token_group(a_vals, s.m, s.k, kBlock)
                                 : quantize_per_tensor(a_vals, s.m, s.k);
  const QuantizedMatrix qw = p == GemmPrecision::kFp8BlockScaled
                                 ? quantize_per_block(w_vals, s.n, s.k, kBlock)
                                 : quantize_per_tensor(w_vals, s.n, s.k);
  c.act = qa.codes;
  c.w = qw.codes;
  c.act_scale = p == GemmPrecision::kFp8BlockScaled ? transpose(qa.scales, s.m, s.k / kBlock)
                                                    : qa.scales;
  c.w_scale = qw.scales;
  c.ref = reference_gemm_nt(qa.dequantized, qw.dequantized, s.m, s.n, s.k);
  return c;
}

template <typename T>
void upload_at(DeviceBuffer& d, std::size_t byte_offset, const std::vector<T>& v) {
  FS_CUDA(cudaMemcpy(d.as<std::uint8_t>() + byte_offset, v.data(), v.size() * sizeof(T),
                     cudaMemcpyHostToDevice));
}

// Checks a grouped GEMM (groups = 1 is the dense case) through the code path the tables time.
std::optional<double> grouped_gemm_error(GpuContext& ctx, GemmPrecision p,
                                         const GroupedGemmShape& s, Rng& rng, std::string* why) {
  const GemmShape one{s.m, s.n, s.k};
  auto gemm = LtGemm::create(ctx.lt, p, one, why);
  if (!gemm) return std::nullopt;
  GroupedOperands ops = make_grouped_operands(p, s);
  poison(ops.out);
  const double eb = input_bytes_per_elem(p);
  std::vector<GemmCase> cases;
  for (std::int64_t g = 0; g < s.groups; ++g) {
    cases.push_back(make_gemm_case(p, one, rng));
    const auto gi = static_cast<std::size_t>(g);
    upload_at(ops.act, gi * static_cast<std::size_t>(s.m * s.k * eb), cases.back().act);
    upload_at(ops.w, gi * static_cast<std::size_t>(s.n * s.k * eb), cases.back().w);
    if (p != GemmPrecision::kBf16) {
      upload_at(ops.act_scale, gi * scale_group_stride(activation_scale_count(p, one)) * sizeof(float),
                cases.back().act_scale);
      upload_at(ops.w_scale, gi * scale_group_stride(weight_scale_count(p, one)) * sizeof(float),
                cases.back().w_scale);
    }
  }
  try {
    run_grouped(*gemm, p, s, ops, ctx.workspace.as());
  } catch (const CudaError& e) {
    // cuBLASLt offered an algorithm and then refused to run it: the caller falls back.
    if (why != nullptr) *why = std::string("cublasLtMatmul refused it at run time: ") + e.what();
    return std::nullopt;
  }
  FS_CUDA(cudaDeviceSynchronize());
  auto out = download_bf16(ops.out, static_cast<std::size_t>(s.groups * s.m * s.n));
  if (gemm->output_transposed()) {
    // Each group's output is [n][m]: compare it as [m][n].
    std::vector<float> t(out.size());
    for (std::int64_t g = 0; g < s.groups; ++g)
      for (std::int64_t r = 0; r < s.m; ++r)
        for (std::int64_t c = 0; c < s.n; ++c)
          t[static_cast<std::size_t>((g * s.m + r) * s.n + c)] =
              out[static_cast<std::size_t>((g * s.n + c) * s.m + r)];
    out = std::move(t);
  }
  std::vector<double> ref;
  for (const auto& c : cases) ref.insert(ref.end(), c.ref.begin(), c.ref.end());
  return relative_error(out, ref);
}

CheckResult check_mla_decode(Rng& rng) {
  const int batch = 2, heads = 128, max_pages = 2;
  const std::vector<std::int32_t> seqlens = {100, 37};  // partial last pages on purpose
  const std::int64_t seqlen_max = max_pages * kMlaPageTokens;
  const auto q = bf16_rounded(random_floats(rng, static_cast<std::size_t>(batch * heads * kMlaDqk), 4.0));
  const auto kv = bf16_rounded(random_floats(rng, static_cast<std::size_t>(batch * seqlen_max * kMlaDqk), 1.0));
  // Pages are scattered in reverse order through a pool with one spare page; slots past each
  // sequence's length hold NaN so that reading them would show.
  const int pool_pages = batch * max_pages + 1;
  std::vector<std::int32_t> table(static_cast<std::size_t>(batch * max_pages));
  std::vector<std::uint16_t> pool(static_cast<std::size_t>(pool_pages) * kMlaPageTokens * kMlaDqk,
                                  0xFFFF);
  for (int b = 0; b < batch; ++b) {
    for (int p = 0; p < max_pages; ++p) {
      const int page = pool_pages - 1 - (b * max_pages + p);
      table[static_cast<std::size_t>(b * max_pages + p)] = page;
      for (int t = 0; t < kMlaPageTokens; ++t) {
        const int tok = p * kMlaPageTokens + t;
        if (tok >= seqlens[static_cast<std::size_t>(b)]) continue;
        for (int d = 0; d < kMlaDqk; ++d)
          pool[(static_cast<std::size_t>(page) * kMlaPageTokens + t) * kMlaDqk + d] = float_to_bf16(
              kv[(static_cast<std::size_t>(b) * seqlen_max + tok) * kMlaDqk + d]);
      }
    }
  }
  DeviceBuffer d_q = upload(to_bf16_bits(q)), d_pool = upload(pool), d_table = upload(table),
               d_len = upload(seqlens);
  DeviceBuffer d_out(static_cast<std::size_t>(batch * heads * kMlaDv) * 2);
  poison(d_out);
  launch_mla_decode(d_q.as<__nv_bfloat16>(), d_pool.as<__nv_bfloat16>(), d_table.as<int>(),
                    max_pages, d_len.as<int>(), batch, heads, kMlaSoftmaxScale,
                    d_out.as<__nv_bfloat16>(), nullptr);
  FS_CUDA(cudaDeviceSynchronize());
  const auto out = download_bf16(d_out, static_cast<std::size_t>(batch * heads * kMlaDv));
  const auto ref = reference_mla_decode(q, kv, seqlens, batch, seqlen_max, heads, kMlaDqk, kMlaDv,
                                        kMlaSoftmaxScale);
  return judge("mla_decode b=2 s_k={100,37} h=128 paged", relative_error(out, ref),
               kBf16Tolerance);
}

CheckResult check_prefill(Rng& rng) {
  const int seqlen = 130, heads = 2;  // a partial last tile on purpose
  const auto q = bf16_rounded(random_floats(rng, static_cast<std::size_t>(seqlen * heads * kPrefillDqk), 2.0));
  const auto k = bf16_rounded(random_floats(rng, static_cast<std::size_t>(seqlen * heads * kPrefillDqk), 1.0));
  const auto v = bf16_rounded(random_floats(rng, static_cast<std::size_t>(seqlen * heads * kPrefillDv), 1.0));
  DeviceBuffer d_q = upload(to_bf16_bits(q)), d_k = upload(to_bf16_bits(k)),
               d_v = upload(to_bf16_bits(v));
  DeviceBuffer d_out(static_cast<std::size_t>(seqlen * heads * kPrefillDv) * 2);
  poison(d_out);
  launch_prefill_attention(d_q.as<__nv_bfloat16>(), d_k.as<__nv_bfloat16>(),
                           d_v.as<__nv_bfloat16>(), seqlen, heads, kMlaSoftmaxScale,
                           d_out.as<__nv_bfloat16>(), nullptr);
  FS_CUDA(cudaDeviceSynchronize());
  const auto out = download_bf16(d_out, static_cast<std::size_t>(seqlen * heads * kPrefillDv));
  const auto ref = reference_prefill_attention(q, k, v, seqlen, heads, kPrefillDqk, kPrefillDv,
                                               kMlaSoftmaxScale);
  return judge("attention_prefill causal s=130 h=2", relative_error(out, ref), kBf16Tolerance);
}

CheckResult check_copy(GpuContext& ctx, Rng& rng) {
  const std::size_t n = (1u << 20) + 4;  // floats; not a multiple of the unrolled stride
  const auto src = random_floats(rng, n, 1.0);
  DeviceBuffer d_src = upload(src), d_dst(n * sizeof(float));
  poison(d_dst);
  launch_copy(d_src.as(), d_dst.as(), n * sizeof(float), ctx.sm_count, nullptr);
  FS_CUDA(cudaDeviceSynchronize());
  const auto out = download<float>(d_dst, n);
  double mismatches = 0;
  for (std::size_t i = 0; i < n; ++i) mismatches += std::memcmp(&out[i], &src[i], sizeof(float)) != 0;
  return judge("hbm_copy kernel 4 MiB", mismatches, 0.0, "error = mismatching words");
}

CheckResult check_rmsnorm(Rng& rng) {
  const int rows = 3, width = 7168;
  const auto x = bf16_rounded(random_floats(rng, static_cast<std::size_t>(rows * width), 3.0));
  std::vector<float> w(static_cast<std::size_t>(width));
  for (auto& e : w) e = round_to_bf16(static_cast<float>(rng.uniform(0.5, 1.5)));
  DeviceBuffer d_x = upload(to_bf16_bits(x)), d_w = upload(to_bf16_bits(w));
  DeviceBuffer d_out(static_cast<std::size_t>(rows * width) * 2);
  poison(d_out);
  launch_rmsnorm(d_x.as<__nv_bfloat16>(), d_w.as<__nv_bfloat16>(), rows, width, kRmsNormEps,
                 d_out.as<__nv_bfloat16>(), nullptr);
  FS_CUDA(cudaDeviceSynchronize());
  return judge("rmsnorm 3x7168",
               relative_error(download_bf16(d_out, static_cast<std::size_t>(rows * width)),
                              reference_rmsnorm(x, w, rows, width, kRmsNormEps)),
               kBf16Tolerance);
}

CheckResult check_swiglu(GpuContext& ctx, Rng& rng) {
  const int rows = 3, width = 2048;
  const auto in = bf16_rounded(random_floats(rng, static_cast<std::size_t>(rows * 2 * width), 4.0));
  DeviceBuffer d_in = upload(to_bf16_bits(in)), d_out(static_cast<std::size_t>(rows * width) * 2);
  poison(d_out);
  launch_swiglu(d_in.as<__nv_bfloat16>(), rows, width, d_out.as<__nv_bfloat16>(), ctx.sm_count,
                nullptr);
  FS_CUDA(cudaDeviceSynchronize());
  return judge("swiglu 3x2048",
               relative_error(download_bf16(d_out, static_cast<std::size_t>(rows * width)),
                              reference_swiglu(in, rows, width)),
               kBf16Tolerance);
}

CheckResult check_fp8_quant(Rng& rng) {
  const int rows = 5, width = 7168;
  const auto x = bf16_rounded(blocky_floats(rng, rows, width, 1));
  DeviceBuffer d_x = upload(to_bf16_bits(x)), d_codes(static_cast<std::size_t>(rows * width)),
               d_scales(static_cast<std::size_t>(rows * (width / kQuantGroup)) * sizeof(float));
  poison(d_codes);
  poison(d_scales);
  launch_fp8_quant(d_x.as<__nv_bfloat16>(), rows, width, d_codes.as<__nv_fp8_e4m3>(),
                   d_scales.as<float>(), nullptr);
  FS_CUDA(cudaDeviceSynchronize());
  const QuantizedMatrix ref = quantize_per_token_group(x, rows, width, kQuantGroup);
  const auto codes = download<std::uint8_t>(d_codes, static_cast<std::size_t>(rows * width));
  const auto scales = transpose(
      download<float>(d_scales, static_cast<std::size_t>(rows * (width / kQuantGroup))),
      width / kQuantGroup, rows);
  double bad = 0;
  for (std::size_t i = 0; i < codes.size(); ++i) bad += codes[i] != ref.codes[i];
  for (std::size_t i = 0; i < scales.size(); ++i)
    bad += !(std::fabs(scales[i] - ref.scales[i]) <= 1e-6f * ref.scales[i]);
  return judge("fp8_quant_per_token_group 5x7168", bad, 0.0,
               "error = codes or scales differing from the CPU quantiser");
}

}  // namespace

std::vector<CheckResult> run_checks(GpuContext& ctx, GemmCapabilities* caps) {
  std::vector<CheckResult> results;
  const std::vector<GemmShape> gemm_shapes = {{64, 256, 512}, {256, 384, 1024}};
  // Block-scaled FP8 first: it decides which FP8 scaling the tables use.
  caps->fp8 = GemmPrecision::kFp8BlockScaled;
  caps->fp8_note = "cuBLASLt block scaling (VEC128_32F activations, BLK128x128_32F weights)";
  for (const auto& s : gemm_shapes) {
    Rng rng(kCheckSeed, "gemm_fp8_block", static_cast<std::uint64_t>(s.m));
    std::string why;
    const auto err = grouped_gemm_error(ctx, GemmPrecision::kFp8BlockScaled, {1, s.m, s.n, s.k}, rng, &why);
    const std::string name = "gemm fp8 block-scaled " + std::to_string(s.m) + "x" +
                             std::to_string(s.n) + "x" + std::to_string(s.k);
    if (!err || !(*err <= kBf16Tolerance)) {
      caps->fp8 = GemmPrecision::kFp8PerTensor;
      caps->fp8_note = "per-tensor FP32 scales: block scaling " +
                       (err ? "rejected by its check (relative error " + std::to_string(*err) + ")"
                            : "unavailable: " + why);
      results.push_back({name, err.value_or(NAN), kBf16Tolerance, true,
                         "NOT USED: " + caps->fp8_note});
      break;
    }
    results.push_back(judge(name, *err, kBf16Tolerance));
  }
  for (GemmPrecision p : {GemmPrecision::kFp8PerTensor, GemmPrecision::kBf16}) {
    for (const auto& s : gemm_shapes) {
      Rng rng(kCheckSeed, precision_name(p), static_cast<std::uint64_t>(s.m));
      std::string why;
      const auto err = grouped_gemm_error(ctx, p, {1, s.m, s.n, s.k}, rng, &why);
      results.push_back(judge(std::string("gemm ") + precision_name(p) + " " + std::to_string(s.m) +
                                  "x" + std::to_string(s.n) + "x" + std::to_string(s.k),
                              err.value_or(INFINITY), kBf16Tolerance, why));
    }
  }
  {
    Rng rng(kCheckSeed, "grouped");
    std::string why;
    const auto err = grouped_gemm_error(ctx, caps->fp8, {3, 128, 256, 512}, rng, &why);
    results.push_back(judge(std::string("grouped gemm 3x(128x256x512) ") + precision_name(caps->fp8),
                            err.value_or(INFINITY), kBf16Tolerance, why));
  }
  Rng rng(kCheckSeed, "kernels");
  results.push_back(check_mla_decode(rng));
  results.push_back(check_prefill(rng));
  results.push_back(check_copy(ctx, rng));
  results.push_back(check_rmsnorm(rng));
  results.push_back(check_swiglu(ctx, rng));
  results.push_back(check_fp8_quant(rng));
  return results;
}

}  // namespace fleetsim::microbench
