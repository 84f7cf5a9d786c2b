// Copy, RMSNorm, SwiGLU and FP8 quantisation kernels: 16-byte accesses, coalesced per warp.
#include "calibrate/cuda/memory_kernels.cuh"

#include <algorithm>
#include <cfloat>

#include "calibrate/cuda/cpu_reference.hpp"

namespace fleetsim::microbench {
namespace {

constexpr int kThreads = 256;
constexpr int kBlocksPerSm = 8;  // enough resident warps to keep loads in flight
constexpr int kCopyUnroll = 4;
constexpr int kBf16PerVec = 8;  // 16 bytes

__global__ void copy_kernel(const uint4* __restrict__ src, uint4* __restrict__ dst,
                            std::size_t n_vec) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  std::size_t i = blockIdx.x * blockDim.x + threadIdx.x;
  for (; i + (kCopyUnroll - 1) * stride < n_vec; i += kCopyUnroll * stride) {
    uint4 v[kCopyUnroll];
#pragma unroll
    for (int u = 0; u < kCopyUnroll; ++u) v[u] = src[i + u * stride];
#pragma unroll
    for (int u = 0; u < kCopyUnroll; ++u) dst[i + u * stride] = v[u];
  }
  for (; i < n_vec; i += stride) dst[i] = src[i];
}

__device__ __forceinline__ void unpack8(const uint4& v, float f[8]) {
  const __nv_bfloat162* p = reinterpret_cast<const __nv_bfloat162*>(&v);
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const float2 t = __bfloat1622float2(p[j]);
    f[2 * j] = t.x;
    f[2 * j + 1] = t.y;
  }
}

__device__ __forceinline__ uint4 pack8(const float f[8]) {
  uint4 v;
  __nv_bfloat162* p = reinterpret_cast<__nv_bfloat162*>(&v);
#pragma unroll
  for (int j = 0; j < 4; ++j) p[j] = __floats2bfloat162_rn(f[2 * j], f[2 * j + 1]);
  return v;
}

// One block per row; the row is read twice (the second pass hits L1/L2).
__global__ void __launch_bounds__(kThreads) rmsnorm_kernel(const __nv_bfloat16* __restrict__ x,
                                                          const __nv_bfloat16* __restrict__ w,
                                                          int width, float eps,
                                                          __nv_bfloat16* __restrict__ out) {
  __shared__ float partial[kThreads / 32];
  const uint4* row = reinterpret_cast<const uint4*>(x + static_cast<long long>(blockIdx.x) * width);
  const int n_vec = width / kBf16PerVec;
  float sum2 = 0.0f;
  for (int i = threadIdx.x; i < n_vec; i += blockDim.x) {
    float f[8];
    unpack8(row[i], f);
#pragma unroll
    for (int j = 0; j < 8; ++j) sum2 = fmaf(f[j], f[j], sum2);
  }
  for (int o = 16; o > 0; o >>= 1) sum2 += __shfl_xor_sync(0xFFFFFFFFu, sum2, o);
  if (threadIdx.x % 32 == 0) partial[threadIdx.x / 32] = sum2;
  __syncthreads();
  float total = 0.0f;
#pragma unroll
  for (int i = 0; i < kThreads / 32; ++i) total += partial[i];
  const float inv = rsqrtf(total / static_cast<float>(width) + eps);
  const uint4* wv = reinterpret_cast<const uint4*>(w);
  uint4* orow = reinterpret_cast<uint4*>(out + static_cast<long long>(blockIdx.x) * width);
  for (int i = threadIdx.x; i < n_vec; i += blockDim.x) {
    float f[8], g[8];
    unpack8(row[i], f);
    unpack8(wv[i], g);
#pragma unroll
    for (int j = 0; j < 8; ++j) f[j] = f[j] * inv * g[j];
    orow[i] = pack8(f);
  }
}

__global__ void swiglu_kernel(const __nv_bfloat16* __restrict__ in, int rows, int width,
                              __nv_bfloat16* __restrict__ out) {
  const int vec_per_row = width / kBf16PerVec;
  const long long n_vec = static_cast<long long>(rows) * vec_per_row;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n_vec;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long r = i / vec_per_row;
    const int c = static_cast<int>(i % vec_per_row);
    const uint4* row = reinterpret_cast<const uint4*>(in + r * 2 * width);
    float g[8], u[8];
    unpack8(row[c], g);
    unpack8(row[vec_per_row + c], u);
#pragma unroll
    for (int j = 0; j < 8; ++j) g[j] = g[j] / (1.0f + __expf(-g[j])) * u[j];
    reinterpret_cast<uint4*>(out)[i] = pack8(g);
  }
}

// A half-warp (16 lanes x 8 values) quantises one 128-channel group of one row.
__global__ void fp8_quant_kernel(const __nv_bfloat16* __restrict__ x, int rows, int width,
                                 __nv_fp8_e4m3* __restrict__ codes, float* __restrict__ scales,
                                 float amax_floor, float fp8_max) {
  const int groups_per_row = width / kQuantGroup;
  const long long n_groups = static_cast<long long>(rows) * groups_per_row;
  const long long half_warp =
      (blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x) / 16;
  const int sub = threadIdx.x % 16;
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x / 16;
  // Every lane of the warp iterates the same number of times so the shuffles stay converged.
  const long long first_warp_group = half_warp - (half_warp % 2);
  for (long long base = first_warp_group; base < n_groups; base += stride) {
    const long long grp = base + (half_warp % 2);
    const bool active = grp < n_groups;
    const long long r = active ? grp / groups_per_row : 0;
    const int g = active ? static_cast<int>(grp % groups_per_row) : 0;
    const long long off = r * width + static_cast<long long>(g) * kQuantGroup + sub * 8;
    float f[8];
    if (active) {
      unpack8(*reinterpret_cast<const uint4*>(x + off), f);
    } else {
#pragma unroll
      for (int j = 0; j < 8; ++j) f[j] = 0.0f;
    }
    float amax = 0.0f;
#pragma unroll
    for (int j = 0; j < 8; ++j) amax = fmaxf(amax, fabsf(f[j]));
    for (int o = 8; o > 0; o >>= 1) amax = fmaxf(amax, __shfl_xor_sync(0xFFFFFFFFu, amax, o));
    const float scale = fmaxf(amax, amax_floor) / fp8_max;
    if (active) {
      __align__(8) __nv_fp8_e4m3 q[8];
#pragma unroll
      for (int j = 0; j < 8; ++j) q[j] = __nv_fp8_e4m3(f[j] / scale);
      *reinterpret_cast<uint2*>(codes + off) = *reinterpret_cast<const uint2*>(q);
      if (sub == 0) scales[static_cast<long long>(g) * rows + r] = scale;
    }
  }
}

int grid_for(long long work_items, int sm_count) {
  const long long wanted = (work_items + kThreads - 1) / kThreads;
  return static_cast<int>(std::max<long long>(
      1, std::min<long long>(wanted, static_cast<long long>(sm_count) * kBlocksPerSm)));
}

}  // namespace

void launch_copy(const void* src, void* dst, std::size_t bytes, int sm_count, cudaStream_t s) {
  const std::size_t n_vec = bytes / sizeof(uint4);
  copy_kernel<<<grid_for(static_cast<long long>(n_vec), sm_count), kThreads, 0, s>>>(
      static_cast<const uint4*>(src), static_cast<uint4*>(dst), n_vec);
  FS_LAUNCHED();
}

void launch_rmsnorm(const __nv_bfloat16* x, const __nv_bfloat16* weight, int rows, int width,
                    float eps, __nv_bfloat16* out, cudaStream_t s) {
  rmsnorm_kernel<<<rows, kThreads, 0, s>>>(x, weight, width, eps, out);
  FS_LAUNCHED();
}

void launch_swiglu(const __nv_bfloat16* in, int rows, int width, __nv_bfloat16* out,
                   int sm_count, cudaStream_t s) {
  const long long n_vec = static_cast<long long>(rows) * width / kBf16PerVec;
  swiglu_kernel<<<grid_for(n_vec, sm_count), kThreads, 0, s>>>(in, rows, width, out);
  FS_LAUNCHED();
}

void launch_fp8_quant(const __nv_bfloat16* x, int rows, int width, __nv_fp8_e4m3* codes,
                      float* scales, cudaStream_t s) {
  const long long n_groups = static_cast<long long>(rows) * (width / kQuantGroup);
  const long long threads_needed = n_groups * 16;
  const int blocks = static_cast<int>(std::max<long long>(1, (threads_needed + kThreads - 1) / kThreads));
  fp8_quant_kernel<<<blocks, kThreads, 0, s>>>(x, rows, width, codes, scales, kQuantAmaxFloor,
                                               kFp8E4m3Max);
  FS_LAUNCHED();
}

}  // namespace fleetsim::microbench
