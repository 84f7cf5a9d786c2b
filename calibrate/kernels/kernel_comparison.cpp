// Compares a profile's kernel model with kernels measured on a GPU (see kernel_comparison.hpp).
#include "calibrate/kernels/kernel_comparison.hpp"

#include "calibrate/kernels/error_stats.hpp"
#include "calibrate/kernels/markdown_format.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace fleetsim {

namespace {

constexpr double kGiga = 1e9;
constexpr double kUsPerS = 1e6;
constexpr double kBf16Bytes = 2;

// Tables of our own plain attention kernels: FlashMLA-calibrated predictions say nothing of them.
constexpr const char* kPlainAttentionWhy =
    "fleetsim's plain CUDA-core attention kernel, not FlashMLA: the model is calibrated on FlashMLA, "
    "so the comparison would measure the kernel, not the model";

using error_stats::max_abs;
using error_stats::median;
using error_stats::median_abs;

using report_format::fmt;
using report_format::pct;
std::string abs_pct(double x) { return fmt("%.1f%%", 100 * x); }

OpClass gemm_class_of(const std::string& c) {
  if (c == "dense_gemm") return OpClass::kDenseGemm;
  if (c == "grouped_gemm_contiguous") return OpClass::kGroupedGemmContiguous;
  return OpClass::kGroupedGemmMasked;
}

MeasuredKernelRow gemm_row(const JsonReader& t, const JsonReader& r, OpClass cls,
                           double out_bytes_per_elem) {
  MeasuredKernelRow row;
  Operator& op = row.op;
  op.name = "measured";
  op.cls = cls;
  op.precision = t.one_of("precision", {"fp8", "bf16"}) == "bf16" ? OpPrecision::kBf16 : OpPrecision::kFp8;
  op.m = r.positive_int("m");
  op.n = r.positive_int("n");
  op.k = r.positive_int("k");
  op.groups = r.has("groups") ? r.positive_int("groups") : 1;
  const double ab = op.precision == OpPrecision::kFp8 ? 1.0 : kBf16Bytes;
  op.flops = gemm_flops(static_cast<double>(op.m), static_cast<double>(op.n),
                        static_cast<double>(op.k), static_cast<double>(op.groups));
  op.bytes = gemm_bytes(static_cast<double>(op.m), static_cast<double>(op.n),
                        static_cast<double>(op.k), static_cast<double>(op.groups), ab,
                        out_bytes_per_elem);
  row.measured_us = r.positive("time_us");
  row.label = (cls != OpClass::kDenseGemm ? "g=" + std::to_string(op.groups) + " " : std::string()) +
              "m=" + std::to_string(op.m) + " n=" + std::to_string(op.n) + " k=" + std::to_string(op.k);
  return row;
}

// Memory-bound rows: the bytes the kernel moved are its measured rate times its time.
MeasuredKernelRow streaming_row(const JsonReader& r, std::string label) {
  MeasuredKernelRow row;
  row.op.name = "measured";
  row.op.cls = OpClass::kElementwise;
  row.measured_us = r.positive("time_us");
  row.op.bytes = r.positive("gb_per_s") * kGiga * row.measured_us / kUsPerS;
  row.label = std::move(label);
  return row;
}

std::string size_label(double bytes) {
  constexpr double kMiB = 1024.0 * 1024.0;
  return fmt("%.0f MiB", bytes / kMiB);
}

}  // namespace

KernelComparison compare_kernel_tables(const HardwareSpec& hw, const JsonReader& fragment) {
  KernelComparison c;
  c.profile_file = hw.file;
  c.measured_file = fragment.file();
  const JsonReader on = fragment.at("measured_on");
  c.gpu = on.string("gpu");
  c.date = on.string("date");
  c.driver = on.string_or("driver_version", "");
  c.library = "cuBLASLt " + on.string_or("cublaslt_version", "?");
  c.sm_count = on.positive_int32("sm_count");
  const int sms = std::min(c.sm_count, hw.gpu.sm_count);
  const KernelModelParams params = parse_kernel_model(hw);
  const KernelCostModel model(hw.gpu, params);

  const JsonReader kb = fragment.at("kernel_benchmarks");
  for (const std::string& name : kb.keys()) {
    if (name == "source") continue;
    const JsonReader t = kb.at(name);
    const std::string cls = t.one_of("kernel_class", {"dense_gemm", "grouped_gemm_contiguous",
                                                      "grouped_gemm_masked", "mla_decode",
                                                      "attention_prefill", "hbm_copy", "elementwise"});
    if (cls == "mla_decode" || cls == "attention_prefill") {
      c.skipped.push_back(name + ": " + kPlainAttentionWhy);
      continue;
    }
    MeasuredKernelTable mt;
    mt.name = name;
    mt.kernel_class = cls;
    mt.precision = t.one_of("precision", {"fp8", "bf16", "bytes"});
    const JsonReader rows = t.at("rows");
    for (std::size_t i = 0; i < rows.array_size(); ++i) {
      const JsonReader r = rows.at(i);
      MeasuredKernelRow row;
      if (cls == "hbm_copy") {
        row = streaming_row(r, r.string("method") + " " + size_label(r.positive("bytes")));
      } else if (cls == "elementwise") {
        row = streaming_row(r, r.string("op") + " " + std::to_string(r.positive_int("rows")) + "x" +
                                   std::to_string(r.positive_int("width")));
      } else {
        row = gemm_row(t, r, gemm_class_of(cls), params.tiling.out_bytes_per_elem);
      }
      row.predicted_us = model.cost(row.op, sms).time_s * kUsPerS;
      row.error = row.predicted_us / row.measured_us - 1;
      mt.rows.push_back(std::move(row));
    }
    if (mt.rows.empty()) t.fail_at("rows", "at least one measured row");
    std::vector<double> e;
    for (const MeasuredKernelRow& r : mt.rows) e.push_back(r.error);
    mt.median_error = median(e);
    mt.median_abs_error = median_abs(e);
    mt.max_abs_error = max_abs(e);
    c.tables.push_back(std::move(mt));
  }
  return c;
}

StepComparison compare_step_validation(const JsonReader& v) {
  StepComparison s;
  s.file = v.file();
  s.phase = v.one_of("phase", {"prefill", "decode"});
  s.device = v.string("device");
  const JsonReader step = v.at("step");
  s.description = step.string("description");
  const double microbatches = static_cast<double>(step.positive_int("microbatches"));
  const double per_moe = microbatches * static_cast<double>(step.non_negative_int("moe_layers"));
  const double per_dense = microbatches * static_cast<double>(step.non_negative_int("dense_layers"));

  static constexpr std::array<const char*, 7> kOrder = {
      "dense_gemm", "grouped_gemm_contiguous", "grouped_gemm_masked", "batched_gemm",
      "mla_decode", "attention_prefill",       "elementwise"};
  std::map<std::string, StepClassTotal> totals;
  std::map<std::string, std::map<std::string, double>> op_errors;  // class -> name -> error
  const JsonReader ops = v.at("ops");
  for (std::size_t i = 0; i < ops.array_size(); ++i) {
    const JsonReader op = ops.at(i);
    const std::string section = op.one_of("section", {"moe_layer", "dense_layer", "step_ops"});
    const std::string cls = op.one_of("class", {kOrder[0], kOrder[1], kOrder[2], kOrder[3],
                                                kOrder[4], kOrder[5], kOrder[6]});
    const double weight = section == "moe_layer" ? per_moe : section == "dense_layer" ? per_dense : 1.0;
    const double predicted = op.non_negative("predicted_ns"), executed = op.non_negative("executed_ns");
    StepClassTotal& t = totals[cls];
    t.kernel_class = cls;
    t.predicted_ns += weight * predicted;
    t.executed_ns += weight * executed;
    // The MTP module's copies carry a "mtp." prefix: they are distinct operators here.
    if (executed > 0) op_errors[cls][section + "/" + op.string("name")] = predicted / executed - 1;
    const bool attention = cls == "mla_decode" || cls == "attention_prefill";
    s.predicted_ns += weight * predicted;
    s.executed_ns += weight * executed;
    if (!attention) {
      s.predicted_no_attention_ns += weight * predicted;
      s.executed_no_attention_ns += weight * executed;
    }
    if (!attention && cls != "elementwise") {
      s.predicted_gemm_ns += weight * predicted;
      s.executed_gemm_ns += weight * executed;
    }
  }
  for (const char* cls : kOrder) {
    auto it = totals.find(cls);
    if (it == totals.end()) continue;
    StepClassTotal t = it->second;
    std::vector<double> e;
    for (const auto& [name, err] : op_errors[cls]) e.push_back(err);
    t.operators = static_cast<int>(e.size());
    t.median_abs_op_error = median_abs(std::move(e));
    t.error = t.executed_ns > 0 ? t.predicted_ns / t.executed_ns - 1 : 0;
    s.classes.push_back(t);
  }
  return s;
}

std::string kernel_comparison_markdown(const KernelComparison& c) {
  std::ostringstream o;
  o << "# The kernel cost model against kernels measured on a GPU\n\n"
    << "Generated by `fleetsim calibrate compare` from `" << c.measured_file << "`";
  for (const StepComparison& s : c.steps) o << ", `" << s.file << "`";
  o << "; do not edit by hand.\n\n"
    << "Measured: " << c.gpu << " (" << c.sm_count << " SMs), " << c.library << ", CUDA driver API "
    << c.driver << ", " << c.date << ". Predicted: the calibrated kernel model of `" << c.profile_file
    << "` (fitted to the published H800 DeepGEMM and FlashMLA tables, not to these), on "
    << c.sm_count << " SMs. Error = predicted / measured - 1: below zero the measured kernel is "
       "slower than the model.\n\n"
    << "The model stands for DeepGEMM on an H800. These kernels are cuBLASLt (one matmul per "
       "group for grouped GEMMs) and fleetsim's own elementwise kernels, on the GPU named above. "
       "So an error here mixes three things: the model's own error, the library's distance from "
       "DeepGEMM, and the GPU's distance from an H800.\n\n";
  o << "## Kernel tables\n\n"
    << "| table | class | precision | rows | median error | median abs | max abs |\n"
    << "|---|---|---|---:|---:|---:|---:|\n";
  for (const MeasuredKernelTable& t : c.tables) {
    o << "| " << t.name << " | " << t.kernel_class << " | " << t.precision << " | " << t.rows.size()
      << " | " << pct(t.median_error) << " | " << abs_pct(t.median_abs_error) << " | "
      << abs_pct(t.max_abs_error) << " |\n";
  }
  if (!c.skipped.empty()) {
    o << "\nNot compared:\n\n";
    for (const std::string& s : c.skipped) o << "- " << s << "\n";
  }
  for (const MeasuredKernelTable& t : c.tables) {
    o << "\n### " << t.name << "\n\n| shape | measured us | predicted us | error |\n|---|---:|---:|---:|\n";
    for (const MeasuredKernelRow& r : t.rows) {
      o << "| " << r.label << " | " << fmt("%.2f", r.measured_us) << " | "
        << fmt("%.2f", r.predicted_us) << " | " << pct(r.error) << " |\n";
    }
  }
  if (!c.steps.empty()) {
    o << "\n## Simulated steps executed on the GPU\n\n"
      << "`fleetsim validate-step --execute cuda` ran every operator of each simulated step below "
         "with the kernels above, one at a time (CUDA events, median of repeats; communication "
         "stays modelled and is not in these totals). Each operator is weighted by how often the "
         "step runs it. The error is the class's total predicted time over its executed time, "
         "minus 1. Attention runs fleetsim's plain kernels (see above), so the step is also "
         "given without it. The first table sums each step; GEMMs are every GEMM class "
         "together.\n";
    auto err = [](double p, double e) { return pct(e > 0 ? p / e - 1 : 0); };
    o << "\n| phase | step | predicted ms | executed ms | error | GEMMs error | without attention error |\n"
      << "|---|---|---:|---:|---:|---:|---:|\n";
    for (const StepComparison& s : c.steps) {
      o << "| " << s.phase << " | " << s.description << " | " << fmt("%.3f", s.predicted_ns / 1e6)
        << " | " << fmt("%.3f", s.executed_ns / 1e6) << " | " << err(s.predicted_ns, s.executed_ns)
        << " | " << err(s.predicted_gemm_ns, s.executed_gemm_ns) << " | "
        << err(s.predicted_no_attention_ns, s.executed_no_attention_ns) << " |\n";
    }
    for (const StepComparison& s : c.steps) {
      o << "\n### " << s.phase << ": " << s.description << "\n\n"
        << "| class | operators | predicted ms | executed ms | error | median abs error per operator |\n"
        << "|---|---:|---:|---:|---:|---:|\n";
      for (const StepClassTotal& t : s.classes) {
        o << "| " << t.kernel_class << " | " << t.operators << " | " << fmt("%.3f", t.predicted_ns / 1e6)
          << " | " << fmt("%.3f", t.executed_ns / 1e6) << " | " << pct(t.error) << " | "
          << abs_pct(t.median_abs_op_error) << " |\n";
      }
      auto total = [&](const char* label, double p, double e) {
        o << "| " << label << " | | " << fmt("%.3f", p / 1e6) << " | " << fmt("%.3f", e / 1e6)
          << " | " << pct(e > 0 ? p / e - 1 : 0) << " | |\n";
      };
      total("**step, compute alone**", s.predicted_ns, s.executed_ns);
      total("**step without attention**", s.predicted_no_attention_ns, s.executed_no_attention_ns);
    }
  }
  return o.str();
}

std::string kernel_comparison_csv(const KernelComparison& c) {
  std::ostringstream o;
  o << "table,class,precision,shape,measured_us,predicted_us,error\n";
  for (const MeasuredKernelTable& t : c.tables) {
    for (const MeasuredKernelRow& r : t.rows) {
      o << t.name << "," << t.kernel_class << "," << t.precision << "," << r.label << ","
        << fmt("%.4f", r.measured_us) << "," << fmt("%.4f", r.predicted_us) << ","
        << fmt("%.6f", r.error) << "\n";
    }
  }
  return o.str();
}

}  // namespace fleetsim
