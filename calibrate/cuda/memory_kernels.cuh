// Memory-bound kernels of the microbenchmark: device copy, RMSNorm, SwiGLU and per-token FP8
// quantisation with 128-channel groups (DeepSeek-V3's activation format).
#pragma once

#include "calibrate/cuda/device_util.cuh"

namespace fleetsim::microbench {

constexpr int kQuantGroup = 128;
constexpr float kRmsNormEps = 1e-6f;  // DeepSeek-V3 config rms_norm_eps

// bytes must be a multiple of 16 and both pointers 16-byte aligned.
void launch_copy(const void* src, void* dst, std::size_t bytes, int sm_count, cudaStream_t s);
// x, out [rows][width]; weight [width]; width a multiple of 8.
void launch_rmsnorm(const __nv_bfloat16* x, const __nv_bfloat16* weight, int rows, int width,
                    float eps, __nv_bfloat16* out, cudaStream_t s);
// in [rows][2*width] = [gate | up]; out [rows][width] = silu(gate) * up; width a multiple of 8.
void launch_swiglu(const __nv_bfloat16* in, int rows, int width, __nv_bfloat16* out,
                   int sm_count, cudaStream_t s);
// x [rows][width] BF16 -> codes [rows][width] e4m3 and scales [width/128][rows] (rows fastest:
// the layout the block-scaled GEMM's activation operand takes). width a multiple of 128.
void launch_fp8_quant(const __nv_bfloat16* x, int rows, int width, __nv_fp8_e4m3* codes,
                      float* scales, cudaStream_t s);

}  // namespace fleetsim::microbench
