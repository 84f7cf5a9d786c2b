// Fits the "flow" communication model's parameters on DeepEP's published H800 rows: rebuilds the
// traffic each benchmark generates, costs it on the topology, least-squares fits (Eigen) the few
// parameters, and reports per-row and leave-one-out errors.
#pragma once

#include "sim/util/json_edit.hpp"

#include <string>
#include <vector>

#include "sim/hw/flow_comm_cost_model.hpp"
#include "sim/spec/hardware_spec.hpp"
#include "sim/spec/model_spec.hpp"

namespace fleetsim {

struct CommBenchRow {
  std::string table;
  A2aMode mode = A2aMode::kNormal;
  A2aKind kind = A2aKind::kDispatch;
  int ep = 0;
  std::string metric;     // "GB/s" (DeepEP's own byte count / time) or "us"
  double measured = 0;    // in `metric`
  double measured_s = 0;  // kernel time implied by the row
  double counted_bytes = 0;  // bytes DeepEP divides by the time (per rank, mean over ranks)
  A2aLinkTimes link_times;   // of the reconstructed traffic at nominal link capacity
  double predicted = 0;      // fit on all rows of the table, in `metric`
  double loo_predicted = 0;  // fit without this row
  double error = 0;          // predicted / measured - 1
  double loo_error = 0;
};

struct CommTableFit {
  std::string name;
  std::string source;
  bool primary = false;
  bool ll_nvlink = false;
  FlowCommParams params;  // only the section of this table's mode is meaningful
  std::vector<CommBenchRow> rows;
  double median_abs_error = 0, max_abs_error = 0;
  double median_abs_loo = 0, max_abs_loo = 0;
};

struct CommFitReport {
  std::vector<CommTableFit> tables;
  FlowCommParams fitted;  // primary normal + primary LL + NVLink-LL variant merged
  double ll_nvlink_dispatch_latency_ns = 0, ll_nvlink_combine_latency_ns = 0;
  double ll_nvlink_rdma_efficiency = 1, ll_nvlink_nvlink_efficiency = 1;
};

// Reads hw.document["comm_benchmarks"], reconstructs the traffic (seeded, deterministic) and fits.
CommFitReport fit_comm_model(const HardwareSpec& hw, const ModelSpec& model);
// Markdown: parameters and a row table per benchmark table.
std::string comm_fit_markdown(const CommFitReport& report);
// The profile with "comm_model" replaced by the fit (other keys untouched).
Json write_comm_model(Json profile_doc, const CommFitReport& report, const std::string& fitted_on,
                      const std::string& command);
// The "comm_model" value alone.
Json comm_model_json(const CommFitReport& report, const std::string& fitted_on,
                     const std::string& command);

}  // namespace fleetsim
