// fleetsim_microbench: checks, then times, the kernels fleetsim's cost models are calibrated on,
// and writes a hardware-profile fragment. Exit 3 (a clear message) when no CUDA GPU is present.
#include <cstdio>
#include <exception>

#include "calibrate/cuda/microbench_options.hpp"
#include "calibrate/cuda/microbench_suite.cuh"

namespace fm = fleetsim::microbench;

namespace {

std::string version_string(int v) {  // CUDA encodes 13.0 as 13000
  constexpr int kMajor = 1000, kMinor = 10;
  return std::to_string(v / kMajor) + "." + std::to_string((v % kMajor) / kMinor);
}

fm::MeasuredOn describe_device(int dev, bool quick) {
  constexpr double kHzPerKhz = 1e3;
  cudaDeviceProp prop{};
  FS_CUDA(cudaGetDeviceProperties(&prop, dev));
  int driver = 0, runtime = 0, sm_khz = 0, mem_khz = 0;
  FS_CUDA(cudaDriverGetVersion(&driver));
  FS_CUDA(cudaRuntimeGetVersion(&runtime));
  FS_CUDA(cudaDeviceGetAttribute(&sm_khz, cudaDevAttrClockRate, dev));
  FS_CUDA(cudaDeviceGetAttribute(&mem_khz, cudaDevAttrMemoryClockRate, dev));
  fm::MeasuredOn m;
  m.date = fm::utc_now_iso();
  m.gpu_name = prop.name;
  m.compute_capability = std::to_string(prop.major) + "." + std::to_string(prop.minor);
  m.driver_version = version_string(driver);
  m.cuda_runtime_version = version_string(runtime);
  m.cublaslt_version = std::to_string(cublasLtGetVersion());
  m.sm_count = prop.multiProcessorCount;
  m.sm_clock_peak_hz = sm_khz * kHzPerKhz;
  m.memory_clock_peak_hz = mem_khz * kHzPerKhz;
  m.l2_bytes = prop.l2CacheSize;
  m.hbm_bytes = static_cast<double>(prop.totalGlobalMem);
  m.mode = quick ? "quick" : "full";
  return m;
}

int run(const fm::MicrobenchOptions& opt) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    std::fprintf(stderr,
                 "fleetsim_microbench: no CUDA GPU present (%s); nothing measured.\n",
                 e != cudaSuccess ? cudaGetErrorString(e) : "cudaGetDeviceCount returned 0");
    return fm::kExitNoGpu;
  }
  const int dev = 0;
  FS_CUDA(cudaSetDevice(dev));
  const fm::MeasuredOn measured = describe_device(dev, opt.quick);
  std::printf("device: %s (sm_%s, %d SMs, L2 %.0f MB), driver %s, runtime %s, cuBLASLt %s\n",
              measured.gpu_name.c_str(), measured.compute_capability.c_str(), measured.sm_count,
              measured.l2_bytes / 1e6, measured.driver_version.c_str(),
              measured.cuda_runtime_version.c_str(), measured.cublaslt_version.c_str());

  fm::GpuContext ctx;
  ctx.sm_count = measured.sm_count;
  ctx.l2_bytes = measured.l2_bytes;
  FS_CUBLAS(cublasLtCreate(&ctx.lt));
  ctx.workspace = fm::DeviceBuffer(fm::kGemmWorkspaceBytes);

  fm::GemmCapabilities caps;
  const auto checks = fm::run_checks(ctx, &caps);
  bool all_passed = true;
  std::printf("correctness checks (relative error vs CPU reference in double):\n");
  for (const auto& c : checks) {
    std::printf("  %-4s %-58s err %.3g (tol %.3g) %s\n", c.passed ? "ok" : "FAIL", c.name.c_str(),
                c.error, c.tolerance, c.note.c_str());
    all_passed = all_passed && c.passed;
  }
  std::printf("FP8 tables use: %s\n", caps.fp8_note.c_str());
  int rc = fm::kExitOk;
  if (!all_passed) {
    std::fprintf(stderr, "fleetsim_microbench: a correctness check failed; no results written.\n");
    rc = fm::kExitCheckFailed;
  } else if (!opt.self_test) {
    const fm::BenchPlan plan = fm::make_bench_plan(opt.quick);
    std::printf("timing (%s plan):\n", measured.mode.c_str());
    const auto tables = fm::run_tables(ctx, plan, caps, opt.only);
    fm::write_json_file(opt.out_path, fm::make_profile_fragment(measured, tables));
    std::printf("wrote %s\n", opt.out_path.c_str());
  }
  cublasLtDestroy(ctx.lt);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  fm::MicrobenchOptions opt;
  try {
    opt = fm::parse_options(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const fm::UsageError& e) {
    std::fprintf(stderr, "fleetsim_microbench: %s\n%s", e.what(), fm::usage_text().c_str());
    return fm::kExitUsage;
  }
  if (opt.help) {
    std::printf("%s", fm::usage_text().c_str());
    return fm::kExitOk;
  }
  try {
    return run(opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fleetsim_microbench: %s\n", e.what());
    return fm::kExitCheckFailed;
  }
}
