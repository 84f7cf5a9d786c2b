// Launch plans on the GPU (see cuda_plan_runner.hpp). FP8 GEMMs use DeepGEMM's block scaling
// when cuBLASLt offers an algorithm for the shape, per-tensor scaling otherwise; a shape with no
// algorithm at all is retried with its rows padded to cuBLASLt's FP8 alignment.
#include "calibrate/cuda/cuda_plan_runner.hpp"

#include <deque>
#include <set>

#include "calibrate/cuda/attention_kernels.cuh"
#include "calibrate/cuda/kernel_timing.cuh"

namespace fleetsim::microbench {

namespace {

constexpr std::int64_t kRowAlign = 16;  // cuBLASLt's FP8 matmuls want dimensions in 16s

std::int64_t align_up(std::int64_t v, std::int64_t a) { return (v + a - 1) / a * a; }

struct GemmChoice {
  GemmPrecision precision;
  std::int64_t m;
};

}  // namespace

bool cuda_device_present(std::string* why) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e == cudaSuccess && count > 0) return true;
  if (why != nullptr)
    *why = e != cudaSuccess ? std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e)
                            : std::string("cudaGetDeviceCount returned 0");
  return false;
}

struct CudaPlanRunner::State {
  GpuContext ctx;
  TimingRuns runs;
  int gemm_sms = 0;
  std::string name;
  ~State() {
    if (ctx.lt != nullptr) cublasLtDestroy(ctx.lt);
  }

  // `block_scaled` false: FP8 matmuls with per-tensor scales only.
  PlanTiming time_gemms(const KernelLaunchPlan& plan, bool block_scaled) {
    const bool strided = plan.kind == LaunchKind::kStridedBatchedGemm;
    std::deque<LtGemm> gemms;  // stable addresses for the parts
    std::vector<GemmPart> parts;
    std::set<std::string> notes;
    for (const GroupedGemmShape& s : plan.gemms) {
      // The best precision first, each with the step's rows, then rows padded to cuBLASLt's FP8
      // alignment (block-scaled FP8 padded beats per-tensor unpadded: it is the kernel modelled).
      std::vector<std::int64_t> rows = {s.m};
      if (align_up(s.m, kRowAlign) != s.m) rows.push_back(align_up(s.m, kRowAlign));
      std::vector<GemmPrecision> precisions;
      if (plan.precision == LaunchPrecision::kBf16) {
        precisions = {GemmPrecision::kBf16};
      } else {
        if (block_scaled) precisions.push_back(GemmPrecision::kFp8BlockScaled);
        precisions.push_back(GemmPrecision::kFp8PerTensor);
      }
      std::vector<GemmChoice> choices;
      for (const GemmPrecision p : precisions)
        for (const std::int64_t m : rows) choices.push_back({p, m});
      std::string why;
      bool made = false;
      for (const GemmChoice& c : choices) {
        const int batch = strided ? static_cast<int>(s.groups) : 1;
        auto g = LtGemm::create(ctx.lt, c.precision, {c.m, s.n, s.k}, &why, batch, gemm_sms);
        if (!g) continue;
        gemms.push_back(std::move(*g));
        parts.push_back({&gemms.back(), c.precision, {s.groups, c.m, s.n, s.k}, strided});
        if (c.precision == GemmPrecision::kFp8PerTensor) notes.insert("FP8 per-tensor scaled");
        if (c.m != s.m) notes.insert("m " + std::to_string(s.m) + " padded to " + std::to_string(c.m));
        made = true;
        break;
      }
      if (!made) throw CudaError(why);
    }
    PlanTiming t;
    for (const std::string& n : notes) t.note += (t.note.empty() ? "" : "; ") + n;
    t.median_us = time_gemm_parts(ctx, parts, runs).median_us;
    return t;
  }
};

CudaPlanRunner::CudaPlanRunner(int compute_sms, int warmup, int repeats)
    : st_(std::make_unique<State>()) {
  const int dev = 0;
  FS_CUDA(cudaSetDevice(dev));
  cudaDeviceProp prop{};
  FS_CUDA(cudaGetDeviceProperties(&prop, dev));
  st_->name = prop.name;
  const int sms = compute_sms > 0 && compute_sms < prop.multiProcessorCount ? compute_sms
                                                                              : prop.multiProcessorCount;
  st_->ctx.sm_count = sms;
  st_->gemm_sms = sms < prop.multiProcessorCount ? sms : 0;
  st_->ctx.l2_bytes = prop.l2CacheSize;
  FS_CUBLAS(cublasLtCreate(&st_->ctx.lt));
  st_->ctx.workspace = DeviceBuffer(kGemmWorkspaceBytes);
  st_->runs = {warmup, repeats};
}

CudaPlanRunner::~CudaPlanRunner() = default;

std::string CudaPlanRunner::device_name() const { return st_->name; }

PlanTiming CudaPlanRunner::time(const KernelLaunchPlan& plan) {
  PlanTiming t;
  switch (plan.kind) {
    case LaunchKind::kGemm:
    case LaunchKind::kStridedBatchedGemm:
      if (plan.precision == LaunchPrecision::kBf16) return st_->time_gemms(plan, false);
      try {
        return st_->time_gemms(plan, true);
      } catch (const CudaError& e) {
        // A block-scaled algorithm cuBLASLt offered but could not run: per-tensor scales instead.
        t = st_->time_gemms(plan, false);
        t.note += (t.note.empty() ? "" : "; ") + std::string("block-scaled FP8 failed (") + e.what() + ")";
        return t;
      }
    case LaunchKind::kMlaDecode:
      if (plan.mla.d_qk != kMlaDqk || plan.mla.d_v != kMlaDv || plan.mla.heads % kMlaHeadsPerBlock != 0)
        throw CudaError("the MLA decode kernel is built for d_qk " + std::to_string(kMlaDqk) + ", d_v " +
                        std::to_string(kMlaDv) + " and heads in multiples of " +
                        std::to_string(kMlaHeadsPerBlock));
      t.median_us = time_mla_decode(st_->ctx, plan.mla, static_cast<int>(plan.mla_queries_per_sequence),
                                    st_->runs).median_us;
      return t;
    case LaunchKind::kPrefillAttention:
      if (plan.prefill.d_qk != kPrefillDqk || plan.prefill.d_v != kPrefillDv)
        throw CudaError("the prefill attention kernel is built for d_qk " + std::to_string(kPrefillDqk) +
                        " and d_v " + std::to_string(kPrefillDv));
      t.median_us = time_prefill_attention(st_->ctx, plan.prefill, st_->runs).median_us;
      return t;
    case LaunchKind::kRmsNorm:
    case LaunchKind::kSwiglu:
    case LaunchKind::kFp8Quant:
      t.median_us = time_elementwise(st_->ctx, plan.elementwise, st_->runs).median_us;
      return t;
    case LaunchKind::kCopy:
      t.median_us = time_copy(st_->ctx, static_cast<std::size_t>(plan.copy_bytes), CopyMethod::kKernel,
                              st_->runs).median_us;
      return t;
  }
  throw CudaError(std::string("no kernel for launch kind ") + to_string(plan.kind));
}

}  // namespace fleetsim::microbench
