// Random fills, poisoning and the event timer of the microbenchmarks.
#include "calibrate/cuda/device_util.cuh"

namespace fleetsim::microbench {
namespace {

constexpr int kFillThreads = 256;
constexpr int kFillMaxBlocks = 65535;

__device__ __forceinline__ float hash_uniform(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t z = seed + (i + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<float>(z >> 40) * (1.0f / 16777216.0f);  // 24 bits -> [0, 1)
}

__global__ void fill_bf16_kernel(__nv_bfloat16* p, std::size_t n, std::uint64_t seed, float amp) {
  for (std::size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    p[i] = __float2bfloat16((2.0f * hash_uniform(seed, i) - 1.0f) * amp);
}

__global__ void fill_fp8_kernel(__nv_fp8_e4m3* p, std::size_t n, std::uint64_t seed, float amp) {
  for (std::size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    p[i] = __nv_fp8_e4m3((2.0f * hash_uniform(seed, i) - 1.0f) * amp);
}

__global__ void fill_f32_kernel(float* p, std::size_t n, std::uint64_t seed, float lo, float hi) {
  for (std::size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    p[i] = lo + (hi - lo) * hash_uniform(seed, i);
}

int fill_blocks(std::size_t n) {
  const std::size_t b = (n + kFillThreads - 1) / kFillThreads;
  return static_cast<int>(b < kFillMaxBlocks ? (b == 0 ? 1 : b) : kFillMaxBlocks);
}

}  // namespace

void fill_random_bf16(DeviceBuffer& buf, std::size_t count, std::uint64_t seed, float amplitude) {
  fill_bf16_kernel<<<fill_blocks(count), kFillThreads>>>(buf.as<__nv_bfloat16>(), count, seed,
                                                         amplitude);
  FS_LAUNCHED();
}

void fill_random_fp8(DeviceBuffer& buf, std::size_t count, std::uint64_t seed, float amplitude) {
  fill_fp8_kernel<<<fill_blocks(count), kFillThreads>>>(buf.as<__nv_fp8_e4m3>(), count, seed,
                                                        amplitude);
  FS_LAUNCHED();
}

void fill_random_f32(DeviceBuffer& buf, std::size_t count, std::uint64_t seed, float lo,
                     float hi) {
  fill_f32_kernel<<<fill_blocks(count), kFillThreads>>>(buf.as<float>(), count, seed, lo, hi);
  FS_LAUNCHED();
}

void poison(DeviceBuffer& buf) { FS_CUDA(cudaMemset(buf.as(), kPoisonByte, buf.bytes())); }

std::vector<double> time_runs_us(const std::function<void(int, cudaStream_t)>& op, int rotations,
                                 int warmup, int repeats) {
  constexpr double kUsPerMs = 1000.0;
  const int rot = rotations < 1 ? 1 : rotations;
  cudaStream_t stream = nullptr;
  FS_CUDA(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  for (int i = 0; i < warmup; ++i) op(i % rot, stream);
  FS_CUDA(cudaStreamSynchronize(stream));
  std::vector<cudaEvent_t> events(static_cast<std::size_t>(repeats) + 1);
  for (auto& e : events) FS_CUDA(cudaEventCreate(&e));
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  FS_CUDA(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  FS_CUDA(cudaEventRecordWithFlags(events[0], stream, cudaEventRecordExternal));
  for (int i = 0; i < repeats; ++i) {
    op((warmup + i) % rot, stream);
    FS_CUDA(cudaEventRecordWithFlags(events[static_cast<std::size_t>(i) + 1], stream,
                                     cudaEventRecordExternal));
  }
  FS_CUDA(cudaStreamEndCapture(stream, &graph));
  FS_CUDA(cudaGraphInstantiate(&exec, graph, 0));
  FS_CUDA(cudaGraphLaunch(exec, stream));
  FS_CUDA(cudaStreamSynchronize(stream));
  FS_LAUNCHED();
  std::vector<double> us;
  for (int i = 0; i < repeats; ++i) {
    float ms = 0.0f;
    FS_CUDA(cudaEventElapsedTime(&ms, events[static_cast<std::size_t>(i)],
                                 events[static_cast<std::size_t>(i) + 1]));
    us.push_back(static_cast<double>(ms) * kUsPerMs);
  }
  cudaGraphExecDestroy(exec);
  cudaGraphDestroy(graph);
  for (auto& e : events) cudaEventDestroy(e);
  cudaStreamDestroy(stream);
  return us;
}

}  // namespace fleetsim::microbench
