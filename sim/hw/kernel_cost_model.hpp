// The calibrated kernel cost model: each operator class costed by a small physical model (tile and
// wave quantisation over the SMs in use, compute/memory rooflines with fitted efficiencies, fixed
// latencies) whose parameters calibrate/kernels fits to published H800 measurements and stores in
// the hardware profile's "kernel_model". Also the "calibrated" LayerCostModel built on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/hw/cost_model_registry.hpp"
#include "sim/hw/layer_cost_model.hpp"
#include "sim/hw/operators.hpp"
#include "sim/spec/hardware_spec.hpp"
#include "sim/spec/model_spec.hpp"
#include "sim/util/bounded_memo.hpp"

namespace fleetsim {

// DeepGEMM's tile-size rule (kernel design constants, with their source in the profile).
struct GemmTiling {
  int block_m_small = 0;  // block M when M <= small_m_max (non-contiguous layouts)
  int small_m_max = 0;
  int block_m = 0;
  int block_n_min = 0, block_n_max = 0, block_n_step = 0;
  int block_k_fp8 = 0, block_k_bf16 = 0;
  double out_bytes_per_elem = 0;
  // TMA multicast of the A tile to `multicast_ways` SMs of a cluster, used for single-group GEMMs
  // with M >= multicast_min_m when N splits into whole clusters of tiles.
  int multicast_ways = 1;
  std::int64_t multicast_min_m = 0;
};

// Fitted parameters of the GEMM model (all GEMM classes share them).
struct GemmModelParams {
  double compute_efficiency = 0;   // of the per-SM dense tensor peak (FP8 or BF16)
  double min_k_iteration_ns = 0;   // pipeline floor of one BLOCK_K step of a tile
  double l2_bytes_per_s = 0;       // L2 -> SM operand bandwidth shared by the active SMs
  // Extra MMA-step time when BLOCK_K % block_n != 0: the tile straddles two 128-wide B scale
  // blocks, so every step loads and applies two scales (DeepGEMM's "double B scales" path).
  double unaligned_n_overhead = 0;
  double hbm_efficiency = 0;       // of the HBM peak, for operand loads and output stores
  double fixed_ns = 0;             // per-kernel fixed latency (launch, prologue, tail)
  // Per wave of tiles on the HBM side: each wave's operand pipeline fills from HBM before it
  // streams at bandwidth, a latency the bandwidth term alone does not carry.
  double wave_latency_ns = 0;
  double overlap_exponent = 0;     // p of the p-norm joining compute and memory time (>= 1)
};

struct KernelModelParams {
  GemmTiling tiling;
  GemmModelParams gemm;
  double mla_compute_efficiency = 0;      // of the BF16 peak (FlashMLA compute-bound)
  double mla_hbm_efficiency = 0;          // of the HBM peak (FlashMLA memory-bound)
  double prefill_attention_compute_efficiency = 0;
  double elementwise_hbm_efficiency = 0;
};

// Reads hw.document["kernel_model"]; a missing or malformed section is a ConfigError naming the
// file and JSON path (and how to produce the section).
KernelModelParams parse_kernel_model(const HardwareSpec& hw);
// Reads a "tiling" object (kernel_benchmarks.deepgemm_tiling or kernel_model.tiling).
GemmTiling parse_gemm_tiling(const JsonReader& r);
Json gemm_tiling_json(const GemmTiling& t);

enum class Bound : std::uint8_t { kCompute, kMemory, kLatency };
const char* to_string(Bound b);

struct OpCost {
  double time_s = 0;
  double compute_s = 0;  // the compute (or tile-schedule) component
  double memory_s = 0;   // the HBM component
  Bound bound = Bound::kLatency;
  int block_m = 0, block_n = 0;   // GEMMs: the tile chosen
  std::int64_t tiles = 0, waves = 0;
  int multicast = 1;
};

// The tile DeepGEMM's heuristic picks: fewest waves over `sms`, then the fullest last wave, then the
// smallest block N.
struct GemmTileChoice {
  int block_m = 0, block_n = 0;
  std::int64_t tiles = 0, waves = 0;
  int multicast = 1;  // SMs sharing one A-tile load
};
GemmTileChoice choose_gemm_tiles(const GemmTiling& t, const Operator& op, int sms);

class KernelCostModel {
 public:
  KernelCostModel(const GpuSpec& gpu, const KernelModelParams& params);
  // Cost of `op` run with `sms` SMs (the rest are left to communication kernels).
  OpCost cost(const Operator& op, int sms) const;
  const KernelModelParams& params() const { return p_; }

 private:
  OpCost gemm(const Operator& op, int sms) const;
  OpCost gemm_uncached(const Operator& op, int sms) const;
  GpuSpec gpu_;
  KernelModelParams p_;
  // GEMM costs by shape: a simulated step re-costs the same few dozen GEMM shapes every time
  // (M takes few distinct values), and the tile search is the step timer's hottest path. A pure
  // function's memo, so lookup order cannot change a result.
  mutable BoundedMemo<7, OpCost> gemm_memo_;
};

// The "calibrated" LayerCostModel: stage times as sums of operator costs.
class CalibratedLayerCostModel final : public LayerCostModel {
 public:
  CalibratedLayerCostModel(const ModelSpec& model, const HardwareSpec& hw);
  CalibratedLayerCostModel(const ModelSpec& model, const GpuSpec& gpu,
                           const KernelModelParams& params);
  std::string name() const override { return "calibrated"; }
  LayerStageTimes attention_stages(Phase phase, bool moe_layer, const RankBatch& batch,
                                   SmSplit sms) const override;
  std::int64_t routed_experts_ns(Phase phase, const ExpertWork& experts, SmSplit sms) const override;
  std::int64_t step_overhead_ns(Phase phase, const RankBatch& batch, std::int64_t logit_tokens,
                                SmSplit sms) const override;
  const KernelCostModel& kernels() const { return kernels_; }
  const ModelShapes& shapes() const { return shapes_; }

 private:
  ModelShapes shapes_;
  KernelCostModel kernels_;
};

// One operator of an explain-step table.
struct ExplainRow {
  std::string name, stage, op_class, precision, bound;
  bool mtp = false;
  std::int64_t m = 0, n = 0, k = 0, groups = 0;
  double flops = 0, bytes = 0;
  std::int64_t time_ns = 0;
  int block_m = 0, block_n = 0;
  std::int64_t waves = 0;
};

// Per-operator rows of one layer (MoE unless `moe_layer` is false) followed by the step operators
// (logits for `logit_tokens`, or one per sequence when negative), costed by the calibrated model.
std::vector<ExplainRow> explain_step(const ModelSpec& model, const HardwareSpec& hw, Phase phase,
                                     const RankBatch& batch, const ExpertWork& experts,
                                     SmSplit sms, bool moe_layer = true,
                                     std::int64_t logit_tokens = -1);

// Adds "calibrated" to the layer cost-model registry.
void register_calibrated_cost_model(LayerCostModelRegistry& layers);

}  // namespace fleetsim
