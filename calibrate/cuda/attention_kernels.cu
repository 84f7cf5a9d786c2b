// MLA decode and causal prefill attention on CUDA cores, flash-style (online softmax, one pass).
#include "calibrate/cuda/attention_kernels.cuh"

#include <cfloat>

namespace fleetsim::microbench {
namespace {

constexpr int kThreads = 256;
constexpr float kLog2e = 1.4426950408889634f;

// Shared-memory rows are padded to an odd number of 4-byte words so that lanes reading the same
// column of consecutive rows hit different banks.
constexpr int kMlaRowWords = kMlaDqk / 2 + 1;      // 289
constexpr int kPrefillQkWords = kPrefillDqk / 2 + 1;  // 97
constexpr int kPrefillVWords = kPrefillDv / 2 + 1;    // 65
constexpr int kPrefillTile = 64;                      // queries per block and keys per step
constexpr int kPrefillSStride = kPrefillTile + 1;

__device__ __forceinline__ float2 bf2_to_f2(std::uint32_t w) {
  __nv_bfloat162 v = *reinterpret_cast<__nv_bfloat162*>(&w);
  return __bfloat1622float2(v);
}

__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xFFFFFFFFu, v, o));
  return v;
}
__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xFFFFFFFFu, v, o);
  return v;
}

// Copies `rows` rows of `row_elems` BF16 (16-byte aligned in global memory) into shared rows of
// `row_words` words; rows at or past `valid_rows` are zero-filled so that garbage (possibly NaN)
// never meets a zero probability.
__device__ __forceinline__ void load_rows(std::uint32_t* dst, int row_words,
                                          const __nv_bfloat16* src, long long src_row_stride,
                                          int rows, int row_elems, int valid_rows) {
  const int vec_per_row = row_elems / 8;
  for (int i = threadIdx.x; i < rows * vec_per_row; i += blockDim.x) {
    const int r = i / vec_per_row, c = i % vec_per_row;
    uint4 v = make_uint4(0, 0, 0, 0);
    if (r < valid_rows) v = *reinterpret_cast<const uint4*>(src + r * src_row_stride + c * 8);
    std::uint32_t* d = dst + r * row_words + c * 4;
    d[0] = v.x;
    d[1] = v.y;
    d[2] = v.z;
    d[3] = v.w;
  }
}

// grid (batch, heads / 16); each block owns 16 heads of one sequence and walks its pages.
__global__ void __launch_bounds__(kThreads) mla_decode_kernel(
    const __nv_bfloat16* __restrict__ q, const __nv_bfloat16* __restrict__ kv_pages,
    const int* __restrict__ block_table, int max_pages, const int* __restrict__ seqlens,
    int heads, float scale_log2, __nv_bfloat16* __restrict__ out) {
  extern __shared__ std::uint32_t smem[];
  std::uint32_t* kv_s = smem;                                       // [64][289] words
  std::uint32_t* q_s = kv_s + kMlaPageTokens * kMlaRowWords;        // [16][289] words
  float* s_s = reinterpret_cast<float*>(q_s + kMlaHeadsPerBlock * kMlaRowWords);  // [64][16]
  float* m_s = s_s + kMlaPageTokens * kMlaHeadsPerBlock;           // [16] running max
  float* l_s = m_s + kMlaHeadsPerBlock;                             // [16] running sum
  float* alpha_s = l_s + kMlaHeadsPerBlock;                         // [16] rescale of this page

  const int b = blockIdx.x;
  const int h0 = blockIdx.y * kMlaHeadsPerBlock;
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int seqlen = seqlens[b];

  load_rows(q_s, kMlaRowWords, q + (static_cast<long long>(b) * heads + h0) * kMlaDqk, kMlaDqk,
            kMlaHeadsPerBlock, kMlaDqk, kMlaHeadsPerBlock);
  if (tid < kMlaHeadsPerBlock) {
    m_s[tid] = -FLT_MAX;
    l_s[tid] = 0.0f;
  }
  // Thread owns output dims {2*tid, 2*tid+1} of all 16 heads.
  float acc[kMlaHeadsPerBlock][2];
#pragma unroll
  for (int h = 0; h < kMlaHeadsPerBlock; ++h) acc[h][0] = acc[h][1] = 0.0f;

  // Score phase mapping: token = lane + 32*(warp&1), heads 4*(warp>>1) .. +3.
  const int my_tok = lane + 32 * (warp & 1);
  const int my_h = 4 * (warp >> 1);

  const int pages = (seqlen + kMlaPageTokens - 1) / kMlaPageTokens;
  for (int p = 0; p < pages; ++p) {
    const int page = block_table[static_cast<long long>(b) * max_pages + p];
    const int valid = min(kMlaPageTokens, seqlen - p * kMlaPageTokens);
    __syncthreads();  // previous page fully consumed
    load_rows(kv_s, kMlaRowWords,
              kv_pages + static_cast<long long>(page) * kMlaPageTokens * kMlaDqk, kMlaDqk,
              kMlaPageTokens, kMlaDqk, valid);
    __syncthreads();

    float dot[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const std::uint32_t* krow = kv_s + my_tok * kMlaRowWords;
#pragma unroll 4
    for (int w = 0; w < kMlaDqk / 2; ++w) {
      const float2 kf = bf2_to_f2(krow[w]);
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const float2 qf = bf2_to_f2(q_s[(my_h + j) * kMlaRowWords + w]);
        dot[j] = fmaf(qf.x, kf.x, fmaf(qf.y, kf.y, dot[j]));
      }
    }
#pragma unroll
    for (int j = 0; j < 4; ++j)
      s_s[my_tok * kMlaHeadsPerBlock + my_h + j] =
          my_tok < valid ? dot[j] * scale_log2 : -FLT_MAX;
    __syncthreads();

    // Online softmax: warp w updates heads 2w and 2w+1 over the page's 64 tokens.
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      const int h = 2 * warp + j;
      const float s0 = s_s[lane * kMlaHeadsPerBlock + h];
      const float s1 = s_s[(lane + 32) * kMlaHeadsPerBlock + h];
      const float m_old = m_s[h];
      const float m_new = fmaxf(m_old, warp_max(fmaxf(s0, s1)));
      const float p0 = lane < valid ? exp2f(s0 - m_new) : 0.0f;
      const float p1 = lane + 32 < valid ? exp2f(s1 - m_new) : 0.0f;
      s_s[lane * kMlaHeadsPerBlock + h] = p0;
      s_s[(lane + 32) * kMlaHeadsPerBlock + h] = p1;
      const float sum = warp_sum(p0 + p1);
      if (lane == 0) {
        const float alpha = exp2f(m_old - m_new);
        alpha_s[h] = alpha;
        l_s[h] = l_s[h] * alpha + sum;
        m_s[h] = m_new;
      }
    }
    __syncthreads();

#pragma unroll
    for (int h = 0; h < kMlaHeadsPerBlock; ++h) {
      acc[h][0] *= alpha_s[h];
      acc[h][1] *= alpha_s[h];
    }
    for (int t = 0; t < valid; ++t) {
      const float2 vf = bf2_to_f2(kv_s[t * kMlaRowWords + tid]);
      const float4* prow = reinterpret_cast<const float4*>(s_s + t * kMlaHeadsPerBlock);
#pragma unroll
      for (int j = 0; j < kMlaHeadsPerBlock / 4; ++j) {
        const float4 pv = prow[j];
        acc[4 * j + 0][0] = fmaf(pv.x, vf.x, acc[4 * j + 0][0]);
        acc[4 * j + 0][1] = fmaf(pv.x, vf.y, acc[4 * j + 0][1]);
        acc[4 * j + 1][0] = fmaf(pv.y, vf.x, acc[4 * j + 1][0]);
        acc[4 * j + 1][1] = fmaf(pv.y, vf.y, acc[4 * j + 1][1]);
        acc[4 * j + 2][0] = fmaf(pv.z, vf.x, acc[4 * j + 2][0]);
        acc[4 * j + 2][1] = fmaf(pv.z, vf.y, acc[4 * j + 2][1]);
        acc[4 * j + 3][0] = fmaf(pv.w, vf.x, acc[4 * j + 3][0]);
        acc[4 * j + 3][1] = fmaf(pv.w, vf.y, acc[4 * j + 3][1]);
      }
    }
  }
  __syncthreads();
#pragma unroll
  for (int h = 0; h < kMlaHeadsPerBlock; ++h) {
    const float inv = l_s[h] > 0.0f ? 1.0f / l_s[h] : 0.0f;
    __nv_bfloat162 o = __floats2bfloat162_rn(acc[h][0] * inv, acc[h][1] * inv);
    *reinterpret_cast<__nv_bfloat162*>(
        out + (static_cast<long long>(b) * heads + h0 + h) * kMlaDv + 2 * tid) = o;
  }
}

static_assert(kMlaDv == 2 * kThreads, "one BF16 pair of output dims per thread");

constexpr std::size_t kMlaSmemBytes =
    sizeof(std::uint32_t) * (kMlaPageTokens + kMlaHeadsPerBlock) * kMlaRowWords +
    sizeof(float) * (kMlaPageTokens * kMlaHeadsPerBlock + 3 * kMlaHeadsPerBlock);

// grid (ceil(seqlen/64), heads). Thread (ty, tx) = (tid/16, tid%16) owns query rows
// 4*ty..4*ty+3; in the score phase key columns tx+16*j, in the output phase value dim pairs
// tx+16*j (j = 0..3).
__global__ void __launch_bounds__(kThreads) prefill_attention_kernel(
    const __nv_bfloat16* __restrict__ q, const __nv_bfloat16* __restrict__ k,
    const __nv_bfloat16* __restrict__ v, int seqlen, int heads, float scale_log2,
    __nv_bfloat16* __restrict__ out) {
  extern __shared__ std::uint32_t smem[];
  std::uint32_t* q_s = smem;                                   // [64][97]
  std::uint32_t* k_s = q_s + kPrefillTile * kPrefillQkWords;   // [64][97]
  std::uint32_t* v_s = k_s + kPrefillTile * kPrefillQkWords;   // [64][65]
  float* s_s = reinterpret_cast<float*>(v_s + kPrefillTile * kPrefillVWords);  // [64][65]
  float* m_s = s_s + kPrefillTile * kPrefillSStride;
  float* l_s = m_s + kPrefillTile;
  float* alpha_s = l_s + kPrefillTile;

  const int q0 = blockIdx.x * kPrefillTile;
  const int h = blockIdx.y;
  const int tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const int ty = tid / 16, tx = tid % 16;
  const long long qk_row_stride = static_cast<long long>(heads) * kPrefillDqk;
  const long long v_row_stride = static_cast<long long>(heads) * kPrefillDv;
  const int q_valid = min(kPrefillTile, seqlen - q0);

  load_rows(q_s, kPrefillQkWords, q + q0 * qk_row_stride + h * kPrefillDqk, qk_row_stride,
            kPrefillTile, kPrefillDqk, q_valid);
  if (tid < kPrefillTile) {
    m_s[tid] = -FLT_MAX;
    l_s[tid] = 0.0f;
  }
  float acc[4][8];
#pragma unroll
  for (int i = 0; i < 4; ++i)
#pragma unroll
    for (int j = 0; j < 8; ++j) acc[i][j] = 0.0f;

  const int last_tile = blockIdx.x;  // causal: keys up to the block's last query
  for (int kt = 0; kt <= last_tile; ++kt) {
    const int k0 = kt * kPrefillTile;
    const int k_valid = min(kPrefillTile, seqlen - k0);
    __syncthreads();
    load_rows(k_s, kPrefillQkWords, k + k0 * qk_row_stride + h * kPrefillDqk, qk_row_stride,
              kPrefillTile, kPrefillDqk, k_valid);
    load_rows(v_s, kPrefillVWords, v + k0 * v_row_stride + h * kPrefillDv, v_row_stride,
              kPrefillTile, kPrefillDv, k_valid);
    __syncthreads();

    float s[4][4];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
      for (int j = 0; j < 4; ++j) s[i][j] = 0.0f;
#pragma unroll 4
    for (int w = 0; w < kPrefillDqk / 2; ++w) {
      float2 qf[4], kf[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) qf[i] = bf2_to_f2(q_s[(4 * ty + i) * kPrefillQkWords + w]);
#pragma unroll
      for (int j = 0; j < 4; ++j) kf[j] = bf2_to_f2(k_s[(tx + 16 * j) * kPrefillQkWords + w]);
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) s[i][j] = fmaf(qf[i].x, kf[j].x, fmaf(qf[i].y, kf[j].y, s[i][j]));
    }
#pragma unroll
    for (int i = 0; i < 4; ++i) {
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const int qi = q0 + 4 * ty + i, kj = k0 + tx + 16 * j;
        const bool visible = kj <= qi && kj < seqlen;
        s_s[(4 * ty + i) * kPrefillSStride + tx + 16 * j] = visible ? s[i][j] * scale_log2 : -FLT_MAX;
      }
    }
    __syncthreads();

    // Online softmax: warp w updates rows 8w..8w+7; lane covers columns lane and lane+32.
    for (int r = 8 * warp; r < 8 * warp + 8; ++r) {
      float* row = s_s + r * kPrefillSStride;
      const float s0 = row[lane], s1 = row[lane + 32];
      const float m_old = m_s[r];
      const float m_new = fmaxf(m_old, warp_max(fmaxf(s0, s1)));
      // Masked entries hold -FLT_MAX; a row whose entries are all masked keeps m at -FLT_MAX
      // and must contribute nothing.
      const float p0 = s0 > -FLT_MAX ? exp2f(s0 - m_new) : 0.0f;
      const float p1 = s1 > -FLT_MAX ? exp2f(s1 - m_new) : 0.0f;
      row[lane] = p0;
      row[lane + 32] = p1;
      const float sum = warp_sum(p0 + p1);
      if (lane == 0) {
        const float alpha = m_new > -FLT_MAX ? exp2f(m_old - m_new) : 1.0f;
        alpha_s[r] = alpha;
        l_s[r] = l_s[r] * alpha + sum;
        m_s[r] = m_new;
      }
    }
    __syncthreads();

#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const float a = alpha_s[4 * ty + i];
#pragma unroll
      for (int j = 0; j < 8; ++j) acc[i][j] *= a;
    }
    for (int t = 0; t < k_valid; ++t) {
      float2 vf[4];
#pragma unroll
      for (int j = 0; j < 4; ++j) vf[j] = bf2_to_f2(v_s[t * kPrefillVWords + tx + 16 * j]);
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const float p = s_s[(4 * ty + i) * kPrefillSStride + t];
#pragma unroll
        for (int j = 0; j < 4; ++j) {
          acc[i][2 * j] = fmaf(p, vf[j].x, acc[i][2 * j]);
          acc[i][2 * j + 1] = fmaf(p, vf[j].y, acc[i][2 * j + 1]);
        }
      }
    }
  }
  __syncthreads();
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int r = 4 * ty + i;
    if (r >= q_valid) continue;
    const float inv = l_s[r] > 0.0f ? 1.0f / l_s[r] : 0.0f;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      *reinterpret_cast<__nv_bfloat162*>(out + (q0 + r) * v_row_stride + h * kPrefillDv +
                                         2 * (tx + 16 * j)) =
          __floats2bfloat162_rn(acc[i][2 * j] * inv, acc[i][2 * j + 1] * inv);
    }
  }
}

constexpr std::size_t kPrefillSmemBytes =
    sizeof(std::uint32_t) * kPrefillTile * (2 * kPrefillQkWords + kPrefillVWords) +
    sizeof(float) * (kPrefillTile * kPrefillSStride + 3 * kPrefillTile);

}  // namespace

void launch_mla_decode(const __nv_bfloat16* q, const __nv_bfloat16* kv_pages,
                       const int* block_table, int max_pages, const int* seqlens, int batch,
                       int heads, float softmax_scale, __nv_bfloat16* out, cudaStream_t stream) {
  if (heads % kMlaHeadsPerBlock != 0)
    throw std::invalid_argument("launch_mla_decode: heads must be a multiple of 16");
  FS_CUDA(cudaFuncSetAttribute(mla_decode_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                               static_cast<int>(kMlaSmemBytes)));
  const dim3 grid(static_cast<unsigned>(batch), static_cast<unsigned>(heads / kMlaHeadsPerBlock));
  mla_decode_kernel<<<grid, kThreads, kMlaSmemBytes, stream>>>(
      q, kv_pages, block_table, max_pages, seqlens, heads, softmax_scale * kLog2e, out);
  FS_LAUNCHED();
}

void launch_prefill_attention(const __nv_bfloat16* q, const __nv_bfloat16* k,
                              const __nv_bfloat16* v, int seqlen, int heads, float softmax_scale,
                              __nv_bfloat16* out, cudaStream_t stream) {
  FS_CUDA(cudaFuncSetAttribute(prefill_attention_kernel,
                               cudaFuncAttributeMaxDynamicSharedMemorySize,
                               static_cast<int>(kPrefillSmemBytes)));
  const dim3 grid(static_cast<unsigned>((seqlen + kPrefillTile - 1) / kPrefillTile),
                  static_cast<unsigned>(heads));
  prefill_attention_kernel<<<grid, kThreads, kPrefillSmemBytes, stream>>>(
      q, k, v, seqlen, heads, softmax_scale * kLog2e, out);
  FS_LAUNCHED();
}

}  // namespace fleetsim::microbench
