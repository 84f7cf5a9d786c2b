// Compares a profile's calibrated kernel cost model with what a GPU measured: the kernel tables
// of fleetsim_microbench (docs/cuda-microbench.md#output) and the per-operator runs of
// `fleetsim validate-step --execute cuda`. The model is not refitted: this is how far its
// predictions are from another GPU's kernels, table by table and operator class by class.
#pragma once

#include <string>
#include <vector>

#include "sim/hw/kernel_cost_model.hpp"
#include "sim/spec/hardware_spec.hpp"
#include "sim/util/json_reader.hpp"

namespace fleetsim {

struct MeasuredKernelRow {
  std::string label;  // "m=64 n=2112 k=7168", "g=4 m=256 ...", "rmsnorm rows=4096 width=7168"
  Operator op;        // the row as the model sees it
  double measured_us = 0, predicted_us = 0;
  double error = 0;   // predicted / measured - 1
};

struct MeasuredKernelTable {
  std::string name, kernel_class, precision;  // precision: the table's tag (fp8, bf16, bytes)
  std::vector<MeasuredKernelRow> rows;
  double median_abs_error = 0, max_abs_error = 0;
  double median_error = 0;  // signed: below 0 the measured kernels are slower than predicted
};

// One operator class's share of a validated step: every operator weighted by how often the step
// runs it (microbatches x layers for layer operators, once for step operators).
struct StepClassTotal {
  std::string kernel_class;
  int operators = 0;
  double predicted_ns = 0, executed_ns = 0;
  double error = 0;                 // executed-weighted total: predicted / executed - 1
  double median_abs_op_error = 0;   // over the class's distinct operators
};

struct StepComparison {
  std::string file, phase, description, device;
  std::vector<StepClassTotal> classes;  // in a fixed order, classes absent from the step left out
  double predicted_ns = 0, executed_ns = 0;              // compute alone, serial
  double predicted_no_attention_ns = 0, executed_no_attention_ns = 0;
  double predicted_gemm_ns = 0, executed_gemm_ns = 0;  // every GEMM class together
};

struct KernelComparison {
  std::string profile_file, measured_file;
  std::string gpu, date, driver, library;  // from the fragment's measured_on
  int sm_count = 0;
  std::vector<MeasuredKernelTable> tables;
  std::vector<std::string> skipped;  // tables not compared, with the reason
  std::vector<StepComparison> steps;
};

// `fragment` is a fleetsim_microbench output (its measured_on and kernel_benchmarks); the GEMM,
// elementwise and copy tables are predicted with `hw`'s fitted kernel model on the fragment's SM
// count. ConfigError (file, JSON path, expected form) on a malformed fragment.
KernelComparison compare_kernel_tables(const HardwareSpec& hw, const JsonReader& fragment);

// Adds a validate-step --json output (docs/cuda-microbench.md#validating-a-simulated-step).
StepComparison compare_step_validation(const JsonReader& validate_step);

std::string kernel_comparison_markdown(const KernelComparison& c);
// One row per compared kernel row: table,class,precision,shape,measured_us,predicted_us,error.
std::string kernel_comparison_csv(const KernelComparison& c);

}  // namespace fleetsim
