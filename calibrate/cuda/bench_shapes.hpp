// The benchmark plan of fleetsim_microbench: which shapes each table times, and the FLOP and
// byte counts that turn a measured time into TFLOPS and GB/s. Host-only, so it is unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fleetsim::microbench {

struct GemmShape {
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
};

// `groups` independent GEMMs of m x n x k (experts); m is the tokens per group.
struct GroupedGemmShape {
  std::int64_t groups = 0;
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
};

// MLA decode attention over a paged latent KV cache (FlashMLA's problem).
struct MlaDecodeShape {
  std::int64_t batch = 0;
  std::int64_t seqlen_k = 0;
  std::int64_t heads = 0;
  std::int64_t d_qk = 0;
  std::int64_t d_v = 0;
  std::int64_t page_tokens = 0;
};

// Causal self-attention of one prompt of `seqlen` tokens (MLA prefill, non-absorbed form).
struct PrefillAttentionShape {
  std::int64_t seqlen = 0;
  std::int64_t heads = 0;
  std::int64_t d_qk = 0;
  std::int64_t d_v = 0;
};

// Row-wise operators over `rows` tokens of `width` channels.
struct ElementwiseShape {
  std::string op;  // "rmsnorm", "swiglu", "fp8_quant_per_token_group"
  std::int64_t rows = 0;
  std::int64_t width = 0;  // channels of the output (SwiGLU reads 2 x width)
};

struct BenchPlan {
  std::vector<GemmShape> dense_gemm;
  std::vector<GroupedGemmShape> grouped_gemm_contiguous;
  std::vector<GroupedGemmShape> grouped_gemm_masked;
  std::vector<MlaDecodeShape> mla_decode;
  std::vector<PrefillAttentionShape> attention_prefill;
  std::vector<std::int64_t> hbm_copy_bytes;
  std::vector<ElementwiseShape> elementwise;
  int warmup_iters = 0;
  int timed_iters = 0;  // median of this many event-timed runs
};

// The DeepGEMM README tables (facts file 3.1): M in {64, 128, 4096} x six (N, K) pairs.
std::vector<GemmShape> deepgemm_dense_shapes();
std::vector<GroupedGemmShape> deepgemm_contiguous_shapes();
std::vector<GroupedGemmShape> deepgemm_masked_shapes();

// The full plan, or a reduced one (`quick`) that keeps one shape per family and fewer repeats.
BenchPlan make_bench_plan(bool quick);

// Names of every table the program can write; `--only` must name one of these.
const std::vector<std::string>& table_names();
bool is_table_name(const std::string& name);

// FLOP and minimum-byte counts (each input read once, each output written once).
double gemm_flops(const GemmShape& s);
double grouped_gemm_flops(const GroupedGemmShape& s);
// DeepGEMM's GB/s convention: FP8 A and B, BF16 D (scale tensors are ignored, < 1%).
double gemm_bytes(const GemmShape& s, double ab_bytes_per_elem, double d_bytes_per_elem);
double grouped_gemm_bytes(const GroupedGemmShape& s, double ab_bytes_per_elem,
                          double d_bytes_per_elem);
// FlashMLA's convention: 2*h*s_q*s_k*(d_qk+d_v) FLOPs; KV read once plus Q and O.
double mla_decode_flops(const MlaDecodeShape& s);
double mla_decode_bytes(const MlaDecodeShape& s);
// Causal: only the lower triangle (s*(s+1)/2 query-key pairs) is counted.
double prefill_attention_flops(const PrefillAttentionShape& s);
double prefill_attention_bytes(const PrefillAttentionShape& s);
double elementwise_bytes(const ElementwiseShape& s);

// How many independent input sets to rotate through so that one pass over all of them moves
// at least twice the L2 size: then a set is evicted before it is used again.
int rotation_sets(double bytes_per_set, double l2_bytes, int max_sets);

}  // namespace fleetsim::microbench
