// A hardware profile (hw_profiles/*.json): GPU, node, NIC, KV storage and price. The kernel and
// communication calibration sections of the same file are read by sim/hw, not here.
#pragma once

#include <string>

#include "sim/util/json_reader.hpp"

namespace fleetsim {

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
