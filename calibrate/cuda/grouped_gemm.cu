// Grouped GEMMs as one matmul per group (see grouped_gemm.cuh).
#include "calibrate/cuda/grouped_gemm.cuh"

namespace fleetsim::microbench {

GroupedOperands make_grouped_operands(GemmPrecision p, const GroupedGemmShape& s) {
  const double eb = input_bytes_per_elem(p);
  const GemmShape one{s.m, s.n, s.k};
  const auto g = static_cast<std::size_t>(s.groups);
  return {DeviceBuffer(static_cast<std::size_t>(static_cast<double>(s.groups * s.m * s.k) * eb)),
          DeviceBuffer(static_cast<std::size_t>(static_cast<double>(s.groups * s.n * s.k) * eb)),
          DeviceBuffer(static_cast<std::size_t>(s.groups * s.m * s.n) * 2),
          DeviceBuffer(g * scale_group_stride(activation_scale_count(p, one)) * sizeof(float)),
          DeviceBuffer(g * scale_group_stride(weight_scale_count(p, one)) * sizeof(float))};
}

void run_grouped(const LtGemm& gemm, GemmPrecision p, const GroupedGemmShape& s,
                 const GroupedOperands& ops, void* workspace, cudaStream_t stream) {
  const GemmShape one{s.m, s.n, s.k};
  const auto eb = static_cast<std::size_t>(input_bytes_per_elem(p));
  const std::size_t act_step = static_cast<std::size_t>(s.m * s.k) * eb;
  const std::size_t w_step = static_cast<std::size_t>(s.n * s.k) * eb;
  const std::size_t out_step = static_cast<std::size_t>(s.m * s.n) * 2;
  const std::size_t as_step = scale_group_stride(activation_scale_count(p, one)),
                    ws_step = scale_group_stride(weight_scale_count(p, one));
  for (std::int64_t grp = 0; grp < s.groups; ++grp) {
    const auto g = static_cast<std::size_t>(grp);
    const float* w_scale = ws_step > 0 ? ops.w_scale.as<float>() + g * ws_step : nullptr;
    const float* a_scale = as_step > 0 ? ops.act_scale.as<float>() + g * as_step : nullptr;
    gemm.run(ops.w.as<std::uint8_t>() + g * w_step, w_scale, ops.act.as<std::uint8_t>() + g * act_step,
             a_scale, ops.out.as<std::uint8_t>() + g * out_step, workspace, stream);
  }
}

}  // namespace fleetsim::microbench
