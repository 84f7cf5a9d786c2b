// A hardware profile (hw_profiles/*.json): GPU, node, NIC, KV storage and price. The kernel and
// communication calibration sections of the same file are read by sim/hw, not here.
#pragma once

#include <string>

#include "sim/util/json_reader.hpp"

namespace fleetsim {

// Plausibility bounds of a profile's rates: orders of magnitude around any accelerator, node or
// network there is (an H800: 3.35e12 B/s HBM, 2e15 FP8 FLOP/s, 5e10 B/s per NIC). Inside them
// every kernel and transfer of a step costs at most hours, so its nanoseconds cannot overflow;
// a value outside them is a typo (a missing exponent), not a machine.
inline constexpr double kMinBytesPerS = 1e8, kMaxBytesPerS = 1e15;
inline constexpr double kMinFlopsPerS = 1e12, kMaxFlopsPerS = 1e18;
inline constexpr double kMinClockHz = 1e8, kMaxClockHz = 1e10;
// Efficiencies against those rates, and fixed latencies of one kernel or transfer (1 s at most).
inline constexpr double kMinEfficiency = 0.01, kMaxEfficiency = 10;
inline constexpr double kMaxLatencyNs = 1e9;

struct GpuSpec {
  int sm_count = 0;
  double hbm_bytes = 0;
  double hbm_bytes_per_s = 0;
  double bf16_flops_per_s = 0;
  double bf16_practical_flops_per_s = 0;
  double fp8_flops_per_s = 0;
  double boost_clock_hz = 0;
};

struct HardwareSpec {
  std::string name;
  std::string file;
  GpuSpec gpu;
  int gpus_per_node = 0;
  double nvlink_bytes_per_s = 0;  // usable, per GPU per direction
  int nics_per_gpu = 0;
  double nic_bytes_per_s = 0;     // per NIC per direction
  double kv_storage_read_bytes_per_s_per_node = 0;
  double usd_per_gpu_hour = 0;
  Json document;  // the whole file, for the sections other layers own (kernel/comm calibration)
};

HardwareSpec load_hardware_spec(const std::string& path);

}  // namespace fleetsim
