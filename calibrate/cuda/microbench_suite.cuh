// The two halves of fleetsim_microbench: correctness checks on small shapes against the CPU
// references, and the timed tables. Both run on the current CUDA device.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "calibrate/cuda/bench_shapes.hpp"
#include "calibrate/cuda/device_util.cuh"
#include "calibrate/cuda/grouped_gemm.cuh"
#include "calibrate/cuda/kernel_timing.cuh"
#include "calibrate/cuda/lt_gemm.cuh"
#include "calibrate/cuda/profile_fragment.hpp"

namespace fleetsim::microbench {

struct CheckResult {
  std::string name;
  double error = 0.0;  // ||out - ref|| / ||ref||, or the count of mismatches for exact checks
  double tolerance = 0.0;
  bool passed = false;
  std::string note;
};

// Which FP8 scaling the FP8 tables use: block scaling when cuBLASLt offers it and it passes its
// check, per-tensor otherwise (the reason is written into the output).
struct GemmCapabilities {
  GemmPrecision fp8 = GemmPrecision::kFp8PerTensor;
  std::string fp8_note;
};

// Runs every check; `caps` is filled from the block-scaled GEMM probe. A block-scaled check that
// fails is reported but not counted as failed: the FP8 tables then use per-tensor scaling.
std::vector<CheckResult> run_checks(GpuContext& ctx, GemmCapabilities* caps);

// Times the tables of `plan` (all, or only `only`).
std::vector<BenchTable> run_tables(GpuContext& ctx, const BenchPlan& plan,
                                   const GemmCapabilities& caps,
                                   const std::optional<std::string>& only);

}  // namespace fleetsim::microbench
