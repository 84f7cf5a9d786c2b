// Operator -> kernel launch plan (see operator_launch_plan.hpp). Shapes come from the operator;
// where our kernels have no exact form for it (attention over cached prefixes, several query
// tokens per KV sequence, glue kernels fused differently) the plan keeps the operator's FLOPs or
// bytes and says how in its note.
#include "calibrate/cuda/operator_launch_plan.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>

namespace fleetsim::microbench {

namespace {

constexpr double kBf16Bytes = 2;              // our attention kernels read and write BF16
constexpr std::int64_t kCopyVectorBytes = 16;  // launch_copy moves 16-byte vectors

std::string num(std::int64_t v) { return std::to_string(v); }

std::vector<std::int64_t> rows_per_group(const Operator& op) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(std::max<std::int64_t>(0, op.groups)));
  for (std::size_t g = 0; g < rows.size(); ++g) rows[g] = op.group_m != nullptr ? op.group_m[g] : op.m;
  return rows;
}

KernelLaunchPlan gemm(const Operator& op) {
  KernelLaunchPlan p;
  p.kind = LaunchKind::kGemm;
  p.precision = op.precision == OpPrecision::kFp8 ? LaunchPrecision::kFp8 : LaunchPrecision::kBf16;
  switch (op.cls) {
    case OpClass::kDenseGemm:
      p.gemms = {{1, op.m, op.n, op.k}};
      break;
    case OpClass::kBatchedGemm:
      p.kind = LaunchKind::kStridedBatchedGemm;
      p.gemms = {{op.groups, op.m, op.n, op.k}};
      p.note = "the " + num(op.groups) + " per-head GEMMs as one strided-batched matmul";
      break;
    case OpClass::kGroupedGemmContiguous: {
      // One matmul per non-empty slot with its own token count; slots of equal count share a
      // matmul setup (in ascending count, which does not change the sum of their times).
      p.group_rows = rows_per_group(op);
      std::map<std::int64_t, std::int64_t> slots_of_rows;
      for (std::int64_t r : p.group_rows)
        if (r > 0) ++slots_of_rows[r];
      for (const auto& [rows, slots] : slots_of_rows) p.gemms.push_back({slots, rows, op.n, op.k});
      p.note = "one matmul per non-empty slot at its token count";
      break;
    }
    case OpClass::kGroupedGemmMasked: {
      // The masked layout pads every slot to one row count: the largest the step routes.
      p.group_rows = rows_per_group(op);
      std::int64_t max_rows = 0, used = 0;
      for (std::int64_t r : p.group_rows) {
        max_rows = std::max(max_rows, r);
        if (r > 0) ++used;
      }
      if (used > 0) p.gemms = {{used, max_rows, op.n, op.k}};
      p.note = "masked: the " + num(used) + " non-empty slots each padded to " + num(max_rows) + " rows";
      break;
    }
    default:
      break;
  }
  return p;
}

KernelLaunchPlan mla_decode(const Operator& op, const ModelShapes& s) {
  KernelLaunchPlan p;
  p.kind = LaunchKind::kMlaDecode;
  const std::int64_t tokens = std::max<std::int64_t>(1, op.m), heads = op.groups;
  const double per_pair_flops = 2.0 * static_cast<double>(heads * (op.k + op.n));
  const double pairs = op.flops / per_pair_flops;
  const std::int64_t seqlen_k = std::max<std::int64_t>(1, std::llround(pairs / static_cast<double>(tokens)));
  // KV tokens read, from the bytes: the cache once, plus Q and O of every query token.
  const double qo_bytes = static_cast<double>(tokens * heads * (op.k + op.n)) * kBf16Bytes;
  const double kv_read = (op.bytes - qo_bytes) / (static_cast<double>(op.k) * s.kv_cache_bytes_per_elem);
  const std::int64_t sequences = std::max<std::int64_t>(1, std::llround(kv_read / static_cast<double>(seqlen_k)));
  p.mla = {tokens, seqlen_k, heads, op.k, op.n, 0};
  p.mla_queries_per_sequence = std::max<std::int64_t>(1, std::llround(static_cast<double>(tokens) / static_cast<double>(sequences)));
  p.note = num(tokens) + " query rows over " + num(seqlen_k) + " KV tokens";
  if (p.mla_queries_per_sequence > 1)
    p.note += ", " + num(p.mla_queries_per_sequence) + " rows a sequence sharing its KV pages";
  if (s.kv_cache_bytes_per_elem != kBf16Bytes) p.note += ", KV in BF16 (the model caches " +
                                                         std::to_string(s.kv_cache_bytes_per_elem) + " B/elem)";
  return p;
}

KernelLaunchPlan prefill_attention(const Operator& op) {
  KernelLaunchPlan p;
  p.kind = LaunchKind::kPrefillAttention;
  const double pairs = op.flops / (2.0 * static_cast<double>(op.groups * (op.k + op.n)));
  // One causal prompt with the operator's (query, key) pairs: L (L + 1) / 2 = pairs.
  const auto len = std::max<std::int64_t>(1, std::llround((std::sqrt(8.0 * pairs + 1.0) - 1.0) / 2.0));
  p.prefill = {len, op.groups, op.k, op.n};
  p.note = "one causal prompt of " + num(len) + " tokens with the operator's " +
           num(std::llround(pairs)) + " attended pairs (the kernel has no cached prefix)";
  return p;
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

KernelLaunchPlan elementwise(const Operator& op, const ModelShapes& s) {
  KernelLaunchPlan p;
  const std::string_view name(op.name);
  std::int64_t width = 0;
  if (contains(name, "swiglu")) {
    p.kind = LaunchKind::kSwiglu;
    p.elementwise.op = "swiglu";
    width = name.rfind("ffn_", 0) == 0 ? s.dense_inter : s.expert_inter;
  } else if (contains(name, "quant")) {
    p.kind = LaunchKind::kFp8Quant;
    p.elementwise.op = "fp8_quant_per_token_group";
    width = s.heads * s.v_head;
  } else if (contains(name, "norm")) {
    p.kind = LaunchKind::kRmsNorm;
    p.elementwise.op = "rmsnorm";
    width = s.hidden;
  } else {
    // Embedding gathers, RoPE and the KV-cache store: a copy moving the operator's bytes.
    p.kind = LaunchKind::kCopy;
    const auto half = static_cast<std::int64_t>(std::ceil(op.bytes / 2));
    p.copy_bytes = std::max<std::int64_t>(1, (half + kCopyVectorBytes - 1) / kCopyVectorBytes) * kCopyVectorBytes;
    p.note = "copy of " + num(p.copy_bytes) + " B (read + write = the operator's bytes)";
    return p;
  }
  p.elementwise.width = width;
  // Rows so that the kernel moves the operator's bytes (the marginal bytes of one more row).
  const double per_row = elementwise_bytes({p.elementwise.op, 2, width}) - elementwise_bytes({p.elementwise.op, 1, width});
  p.elementwise.rows = std::max<std::int64_t>(1, std::llround(op.bytes / per_row));
  p.note = p.elementwise.op + " of " + num(p.elementwise.rows) + " x " + num(width) + " (the operator's bytes)";
  return p;
}

}  // namespace

KernelLaunchPlan plan_kernel_launch(const Operator& op, const ModelShapes& shapes) {
  switch (op.cls) {
    case OpClass::kDenseGemm:
    case OpClass::kBatchedGemm:
    case OpClass::kGroupedGemmContiguous:
    case OpClass::kGroupedGemmMasked:
      return gemm(op);
    case OpClass::kMlaDecode:
      return mla_decode(op, shapes);
    case OpClass::kAttentionPrefill:
      return prefill_attention(op);
    case OpClass::kElementwise:
      return elementwise(op, shapes);
  }
  return {};
}

}  // namespace fleetsim::microbench
