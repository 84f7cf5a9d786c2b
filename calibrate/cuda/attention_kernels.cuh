// Straightforward CUDA-core attention kernels of our own (no tensor cores): MLA decode over a
// paged latent KV cache, and causal prefill attention. They are slower than FlashMLA/FA3 by
// design: the table records what a plain kernel reaches on the GPU at hand.
#pragma once

#include "calibrate/cuda/device_util.cuh"

namespace fleetsim::microbench {

// The kernels are specialised for DeepSeek-V3's dimensions (facts 2, 3.2).
constexpr int kMlaDqk = 576;
constexpr int kMlaDv = 512;
constexpr int kMlaPageTokens = 64;
constexpr int kMlaHeadsPerBlock = 16;
constexpr int kPrefillDqk = 192;
constexpr int kPrefillDv = 128;

// q [batch][heads][576]; kv_pages [pages][64][576]; block_table [batch][max_pages];
// seqlens [batch]; out [batch][heads][512]. heads must be a multiple of 16.
void launch_mla_decode(const __nv_bfloat16* q, const __nv_bfloat16* kv_pages,
                       const int* block_table, int max_pages, const int* seqlens, int batch,
                       int heads, float softmax_scale, __nv_bfloat16* out, cudaStream_t stream);

// q, k [seqlen][heads][192]; v [seqlen][heads][128]; out [seqlen][heads][128]; causal.
void launch_prefill_attention(const __nv_bfloat16* q, const __nv_bfloat16* k,
                              const __nv_bfloat16* v, int seqlen, int heads, float softmax_scale,
                              __nv_bfloat16* out, cudaStream_t stream);

}  // namespace fleetsim::microbench
