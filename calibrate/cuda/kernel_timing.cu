// Per-shape timing of the microbenchmark kernels (see kernel_timing.cuh).
#include "calibrate/cuda/kernel_timing.cuh"

#include <cmath>

#include "calibrate/cuda/attention_kernels.cuh"
#include "calibrate/cuda/memory_kernels.cuh"
#include "calibrate/cuda/sample_stats.hpp"

namespace fleetsim::microbench {
namespace {

constexpr int kMaxRotationSets = 16;
constexpr float kFp8FillAmplitude = 8.0f;   // well inside e4m3 range, products stay finite
constexpr float kBf16FillAmplitude = 1.0f;
constexpr float kElementwiseFillAmplitude = 4.0f;
constexpr float kScaleLo = 0.01f, kScaleHi = 0.02f;
const float kMlaSoftmaxScale = 1.0f / std::sqrt(192.0f);  // facts 2: qk head dim 192
constexpr std::size_t kBf16Bytes = 2;

std::uint64_t g_seed = 1;  // each fill draws a fresh stream

ShapeTime median(const std::function<void(int, cudaStream_t)>& op, int rotations, TimingRuns runs) {
  return {summarize(time_runs_us(op, rotations, runs.warmup, runs.repeats)).median, rotations};
}

void fill_input(DeviceBuffer& d, GemmPrecision p) {
  if (p == GemmPrecision::kBf16)
    fill_random_bf16(d, d.bytes() / kBf16Bytes, ++g_seed, kBf16FillAmplitude);
  else
    fill_random_fp8(d, d.bytes(), ++g_seed, kFp8FillAmplitude);
}

void fill_scales(DeviceBuffer& d) {
  if (d.bytes() > 0) fill_random_f32(d, d.bytes() / sizeof(float), ++g_seed, kScaleLo, kScaleHi);
}

void fill_bf16(DeviceBuffer& d, float amplitude) {
  fill_random_bf16(d, d.bytes() / kBf16Bytes, ++g_seed, amplitude);
}

}  // namespace

ShapeTime time_gemm_parts(GpuContext& ctx, const std::vector<GemmPart>& parts, TimingRuns runs) {
  double set_bytes = 0.0;
  for (const GemmPart& p : parts) set_bytes += grouped_gemm_bytes(p.shape, input_bytes_per_elem(p.precision), 2.0);
  const int sets = rotation_sets(set_bytes, ctx.l2_bytes, kMaxRotationSets);
  // operands[set][part]
  std::vector<std::vector<GroupedOperands>> operands(static_cast<std::size_t>(sets));
  for (auto& set : operands) {
    for (const GemmPart& p : parts) {
      set.push_back(make_grouped_operands(p.precision, p.shape));
      fill_input(set.back().act, p.precision);
      fill_input(set.back().w, p.precision);
      fill_scales(set.back().act_scale);
      fill_scales(set.back().w_scale);
    }
  }
  return median(
      [&](int r, cudaStream_t stream) {
        const auto& set = operands[static_cast<std::size_t>(r)];
        for (std::size_t i = 0; i < parts.size(); ++i) {
          const GemmPart& p = parts[i];
          if (p.strided) {
            p.gemm->run(set[i].w.as(), nullptr, set[i].act.as(), nullptr, set[i].out.as(),
                        ctx.workspace.as(), stream);
          } else {
            run_grouped(*p.gemm, p.precision, p.shape, set[i], ctx.workspace.as(), stream);
          }
        }
      },
      sets, runs);
}

ShapeTime time_mla_decode(GpuContext& ctx, const MlaDecodeShape& s, int queries_per_sequence,
                          TimingRuns runs) {
  const int batch = static_cast<int>(s.batch), heads = static_cast<int>(s.heads);
  const int per_seq = queries_per_sequence < 1 ? 1 : queries_per_sequence;
  const int seqs = (batch + per_seq - 1) / per_seq;
  const int max_pages = static_cast<int>((s.seqlen_k + kMlaPageTokens - 1) / kMlaPageTokens);
  const std::size_t pages = static_cast<std::size_t>(seqs) * max_pages;
  const std::size_t q_bytes = static_cast<std::size_t>(batch) * heads * kMlaDqk * kBf16Bytes;
  const std::size_t kv_bytes = pages * kMlaPageTokens * kMlaDqk * kBf16Bytes;
  const std::size_t out_bytes = static_cast<std::size_t>(batch) * heads * kMlaDv * kBf16Bytes;
  const int sets = rotation_sets(static_cast<double>(q_bytes + kv_bytes + out_bytes), ctx.l2_bytes,
                                 kMaxRotationSets);
  struct Set {
    DeviceBuffer q, kv, out;
  };
  std::vector<Set> sv;
  for (int i = 0; i < sets; ++i) {
    Set x{DeviceBuffer(q_bytes), DeviceBuffer(kv_bytes), DeviceBuffer(out_bytes)};
    fill_bf16(x.q, kBf16FillAmplitude);
    fill_bf16(x.kv, kBf16FillAmplitude);
    sv.push_back(std::move(x));
  }
  // Pages interleaved across sequences, as a paged allocator hands them out; the rows of one
  // sequence share its pages.
  std::vector<int> table(static_cast<std::size_t>(batch) * max_pages);
  for (int b = 0; b < batch; ++b)
    for (int p = 0; p < max_pages; ++p)
      table[static_cast<std::size_t>(b * max_pages + p)] = p * seqs + b / per_seq;
  DeviceBuffer d_table = upload(table);
  DeviceBuffer d_len = upload(std::vector<int>(static_cast<std::size_t>(batch), static_cast<int>(s.seqlen_k)));
  return median(
      [&](int r, cudaStream_t stream) {
        const Set& x = sv[static_cast<std::size_t>(r)];
        launch_mla_decode(x.q.as<__nv_bfloat16>(), x.kv.as<__nv_bfloat16>(), d_table.as<int>(),
                          max_pages, d_len.as<int>(), batch, heads, kMlaSoftmaxScale,
                          x.out.as<__nv_bfloat16>(), stream);
      },
      sets, runs);
}

ShapeTime time_prefill_attention(GpuContext& ctx, const PrefillAttentionShape& s, TimingRuns runs) {
  const int n = static_cast<int>(s.seqlen), heads = static_cast<int>(s.heads);
  const std::size_t qk = static_cast<std::size_t>(n) * heads * kPrefillDqk * kBf16Bytes;
  const std::size_t vo = static_cast<std::size_t>(n) * heads * kPrefillDv * kBf16Bytes;
  const int sets = rotation_sets(prefill_attention_bytes(s), ctx.l2_bytes, kMaxRotationSets);
  struct Set {
    DeviceBuffer q, k, v, out;
  };
  std::vector<Set> sv;
  for (int i = 0; i < sets; ++i) {
    Set x{DeviceBuffer(qk), DeviceBuffer(qk), DeviceBuffer(vo), DeviceBuffer(vo)};
    fill_bf16(x.q, kBf16FillAmplitude);
    fill_bf16(x.k, kBf16FillAmplitude);
    fill_bf16(x.v, kBf16FillAmplitude);
    sv.push_back(std::move(x));
  }
  return median(
      [&](int r, cudaStream_t stream) {
        const Set& x = sv[static_cast<std::size_t>(r)];
        launch_prefill_attention(x.q.as<__nv_bfloat16>(), x.k.as<__nv_bfloat16>(),
                                 x.v.as<__nv_bfloat16>(), n, heads, kMlaSoftmaxScale,
                                 x.out.as<__nv_bfloat16>(), stream);
      },
      sets, runs);
}

ShapeTime time_copy(GpuContext& ctx, std::size_t bytes, CopyMethod method, TimingRuns runs) {
  const int sets = rotation_sets(2.0 * static_cast<double>(bytes), ctx.l2_bytes, kMaxRotationSets);
  std::vector<DeviceBuffer> src, dst;
  for (int i = 0; i < sets; ++i) {
    src.emplace_back(bytes);
    dst.emplace_back(bytes);
    fill_random_f32(src.back(), bytes / sizeof(float), ++g_seed, -1.0f, 1.0f);
  }
  return median(
      [&](int r, cudaStream_t stream) {
        const auto i = static_cast<std::size_t>(r);
        if (method == CopyMethod::kKernel)
          launch_copy(src[i].as(), dst[i].as(), bytes, ctx.sm_count, stream);
        else
          FS_CUDA(cudaMemcpyAsync(dst[i].as(), src[i].as(), bytes, cudaMemcpyDeviceToDevice, stream));
      },
      sets, runs);
}

ShapeTime time_elementwise(GpuContext& ctx, const ElementwiseShape& s, TimingRuns runs) {
  const int rows = static_cast<int>(s.rows), width = static_cast<int>(s.width);
  const int sets = rotation_sets(elementwise_bytes(s), ctx.l2_bytes, kMaxRotationSets);
  const std::size_t in_elems = static_cast<std::size_t>(rows) * width * (s.op == "swiglu" ? 2 : 1);
  struct Set {
    DeviceBuffer in, out, scales;
  };
  std::vector<Set> sv;
  for (int i = 0; i < sets; ++i) {
    Set x{DeviceBuffer(in_elems * kBf16Bytes),
          DeviceBuffer(static_cast<std::size_t>(rows) * width * kBf16Bytes),
          DeviceBuffer(static_cast<std::size_t>(rows) * (width / kQuantGroup) * sizeof(float))};
    fill_bf16(x.in, kElementwiseFillAmplitude);
    sv.push_back(std::move(x));
  }
  DeviceBuffer weight(static_cast<std::size_t>(width) * kBf16Bytes);
  fill_bf16(weight, kBf16FillAmplitude);
  return median(
      [&](int r, cudaStream_t stream) {
        Set& x = sv[static_cast<std::size_t>(r)];
        if (s.op == "rmsnorm")
          launch_rmsnorm(x.in.as<__nv_bfloat16>(), weight.as<__nv_bfloat16>(), rows, width,
                         kRmsNormEps, x.out.as<__nv_bfloat16>(), stream);
        else if (s.op == "swiglu")
          launch_swiglu(x.in.as<__nv_bfloat16>(), rows, width, x.out.as<__nv_bfloat16>(),
                        ctx.sm_count, stream);
        else
          launch_fp8_quant(x.in.as<__nv_bfloat16>(), rows, width, x.out.as<__nv_fp8_e4m3>(),
                           x.scales.as<float>(), stream);
      },
      sets, runs);
}

}  // namespace fleetsim::microbench
