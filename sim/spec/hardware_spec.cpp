// Loads hw_profiles/*.json (the platform part; calibration sections belong to sim/hw).
#include "sim/spec/hardware_spec.hpp"

namespace fleetsim {

HardwareSpec load_hardware_spec(const std::string& path) {
  HardwareSpec h;
  h.document = load_json_file(path);
  h.file = path;
  JsonReader r(h.document, path);
  r.only_keys({"name", "gpu", "node", "nic", "kv_storage", "price", "measured_on",
               "kernel_benchmarks", "kernel_model", "comm_benchmarks", "comm_model", "links"});
  h.name = r.string("name");
  const JsonReader g = r.at("gpu");
  g.only_keys({"sm_count", "hbm_bytes", "hbm_bytes_per_s", "bf16_flops_per_s",
               "bf16_practical_flops_per_s", "fp8_flops_per_s", "boost_clock_hz"});
  h.gpu.sm_count = g.positive_int32("sm_count");
  h.gpu.hbm_bytes = g.positive("hbm_bytes");
  h.gpu.hbm_bytes_per_s = g.number_in("hbm_bytes_per_s", kMinBytesPerS, kMaxBytesPerS);
  h.gpu.bf16_flops_per_s = g.number_in("bf16_flops_per_s", kMinFlopsPerS, kMaxFlopsPerS);
  h.gpu.bf16_practical_flops_per_s = g.number_in("bf16_practical_flops_per_s", kMinFlopsPerS, kMaxFlopsPerS);
  h.gpu.fp8_flops_per_s = g.number_in("fp8_flops_per_s", kMinFlopsPerS, kMaxFlopsPerS);
  h.gpu.boost_clock_hz = g.number_in("boost_clock_hz", kMinClockHz, kMaxClockHz);
  const JsonReader n = r.at("node");
  n.only_keys({"gpus_per_node", "nvlink_bytes_per_s"});
  h.gpus_per_node = n.positive_int32("gpus_per_node");
  h.nvlink_bytes_per_s = n.number_in("nvlink_bytes_per_s", kMinBytesPerS, kMaxBytesPerS);
  const JsonReader c = r.at("nic");
  c.only_keys({"nics_per_gpu", "bytes_per_s"});
  h.nics_per_gpu = c.positive_int32("nics_per_gpu");
  h.nic_bytes_per_s = c.number_in("bytes_per_s", kMinBytesPerS, kMaxBytesPerS);
  const JsonReader s = r.at("kv_storage");
  s.only_keys({"read_bytes_per_s_per_node"});
  h.kv_storage_read_bytes_per_s_per_node = s.number_in("read_bytes_per_s_per_node", kMinBytesPerS, kMaxBytesPerS);
  const JsonReader p = r.at("price");
  p.only_keys({"usd_per_gpu_hour"});
  h.usd_per_gpu_hour = p.positive("usd_per_gpu_hour");
  return h;
}

}  // namespace fleetsim
