// Fits the calibrated kernel cost model (sim/hw/kernel_cost_model) to the published H800 rows in
// a profile's "kernel_benchmarks": Levenberg-Marquardt on log time error for the GEMM parameters,
// closed form for the FlashMLA efficiencies; per-row and leave-one-out errors; Markdown report;
// and the profile with "kernel_model" replaced.
#pragma once

#include "sim/util/json_edit.hpp"

#include <string>
#include <vector>

#include "sim/hw/kernel_cost_model.hpp"
#include "sim/spec/hardware_spec.hpp"
#include "sim/spec/model_spec.hpp"

namespace fleetsim {

// The acceptance bar of the leave-one-out check, per fitted GEMM table.
struct KernelFitBar {
  double median_abs_loo = 0.05;
  double max_abs_loo = 0.15;
};

struct KernelBenchRow {
  std::string label;     // shape, e.g. "m=64 n=2112 k=7168" or "new-kernel compute-bound"
  std::string operator_name;  // the model's operator with this (N, K), when a model was given
  std::string metric;    // "TFLOPS" or "GB/s"
  Operator op;           // GEMM rows: the shape as an operator (group_m unused)
  double measured = 0;   // in `metric`
  double measured_us = 0;
  double predicted = 0;  // in `metric`, all rows fitted
  double predicted_us = 0;
  double error = 0;      // predicted / measured - 1
  bool has_loo = false;
  double loo_predicted = 0;
  double loo_error = 0;
  OpCost cost;           // of the full fit
};

struct KernelTableFit {
  std::string name, source, kernel_class;
  bool loo_defined = false;  // false where each parameter is fixed by one published figure
  std::vector<KernelBenchRow> rows;
  double median_abs_error = 0, max_abs_error = 0;
  double median_abs_loo = 0, max_abs_loo = 0;
};

struct KernelFitOptions {
  std::string fitted_on;  // ISO date written into kernel_model
  std::string fitted_by;  // the command that produced it
  const ModelSpec* model = nullptr;  // optional: names the model operator of each GEMM shape
};

struct KernelFitReport {
  KernelModelParams params;
  GpuSpec gpu;
  std::vector<KernelTableFit> tables;
  double rms_log_error = 0;  // over all GEMM rows, full fit
  std::string profile_file, fitted_on, fitted_by;
};

// Reads hw.document["kernel_benchmarks"] (ConfigError if missing or malformed) and fits.
KernelFitReport fit_kernel_model(const HardwareSpec& hw, const KernelFitOptions& options = {});

// True when every fitted GEMM table meets the leave-one-out bar; `why` lists the failures.
bool meets_bar(const KernelFitReport& report, const KernelFitBar& bar, std::string* why = nullptr);

std::string kernel_fit_markdown(const KernelFitReport& report);

// The "kernel_model" value, and the profile document with it replaced (other keys untouched).
// Committed files are edited with replace_top_level_json_key (sim/util/json_edit.hpp).
Json kernel_model_json(const KernelFitReport& report);
Json write_kernel_model(Json profile_doc, const KernelFitReport& report);

}  // namespace fleetsim
