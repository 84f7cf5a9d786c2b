// DeepEP benchmark traffic reconstruction and the least-squares fit of the "flow" comm model.
// Traffic follows DeepEP's tests (tests/test_internode.py, test_intranode.py, test_low_latency.py):
// normal kernels route each token to the top-8 of the experts in its top-min(nodes, 4) nodes
// (groups = nodes), LL kernels to 8 distinct experts uniformly; only score ranks matter, so
// uniform scores replace DeepEP's |N(0,1)| + 1 without changing the routing distribution.
#include "calibrate/comm/comm_fit.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "sim/engine/rng.hpp"

namespace fleetsim {

namespace {

// Routing counts of one benchmark configuration (tokens, not bytes).
struct Routing {
  int ep = 0;
  AllToAllTraffic copies;          // [owner][expert GPU]: tokens (normal) or selections (LL)
  std::vector<double> node_tokens; // [owner][node]: tokens reaching that node (normal)
  double counted_per_rank = 0;     // tokens DeepEP counts per rank (see table metric)
};

constexpr int kGpusPerNodeInTests = 8;  // DeepEP's tests assert num_local_ranks == 8

Routing normal_routing(const std::string& table, int ep, int tokens, int top_k, int experts_base,
                       int max_topk_groups) {
  Routing r;
  r.ep = ep;
  const int nodes = std::max(1, ep / kGpusPerNodeInTests);
  const int E = (experts_base / ep) * ep;
  const int per_rank = E / ep;
  const int per_node = E / nodes;
  const int topk_groups = std::min(nodes, max_topk_groups);
  r.copies.num_gpus = ep;
  r.copies.bytes.assign(static_cast<std::size_t>(ep) * ep, 0.0);
  r.node_tokens.assign(static_cast<std::size_t>(ep) * nodes, 0.0);
  std::vector<double> score(static_cast<std::size_t>(E));
  std::vector<int> groups(static_cast<std::size_t>(nodes)), cand;
  std::vector<double> gmax(static_cast<std::size_t>(nodes));
  std::vector<char> rank_hit(static_cast<std::size_t>(ep)), node_hit(static_cast<std::size_t>(nodes));
  double counted = 0;
  for (int s = 0; s < ep; ++s) {
    Rng rng(1, "deepep-" + table, static_cast<std::uint64_t>(ep * 100000 + s));
    for (int t = 0; t < tokens; ++t) {
      for (auto& x : score) x = rng.uniform();
      for (int g = 0; g < nodes; ++g) {
        gmax[static_cast<std::size_t>(g)] = *std::max_element(
            score.begin() + g * per_node, score.begin() + (g + 1) * per_node);
      }
      std::iota(groups.begin(), groups.end(), 0);
      std::partial_sort(groups.begin(), groups.begin() + topk_groups, groups.end(),
                        [&](int a, int b) { return gmax[static_cast<std::size_t>(a)] > gmax[static_cast<std::size_t>(b)]; });
      cand.clear();
      for (int i = 0; i < topk_groups; ++i) {
        for (int e = groups[static_cast<std::size_t>(i)] * per_node; e < (groups[static_cast<std::size_t>(i)] + 1) * per_node; ++e) cand.push_back(e);
      }
      std::nth_element(cand.begin(), cand.begin() + (top_k - 1), cand.end(), [&](int a, int b) {
        return score[static_cast<std::size_t>(a)] > score[static_cast<std::size_t>(b)];
      });
      std::fill(rank_hit.begin(), rank_hit.end(), 0);
      std::fill(node_hit.begin(), node_hit.end(), 0);
      for (int i = 0; i < top_k; ++i) {
        const int d = cand[static_cast<std::size_t>(i)] / per_rank;
        rank_hit[static_cast<std::size_t>(d)] = 1;
        node_hit[static_cast<std::size_t>(d / kGpusPerNodeInTests)] = 1;
      }
      for (int d = 0; d < ep; ++d) {
        if (rank_hit[static_cast<std::size_t>(d)]) r.copies.at(s, d) += 1;
      }
      for (int b = 0; b < nodes; ++b) {
        if (node_hit[static_cast<std::size_t>(b)]) {
          r.node_tokens[static_cast<std::size_t>(s) * nodes + b] += 1;
          counted += 1;  // internode metric: tokens x distinct nodes, own node included
        }
      }
    }
  }
  if (nodes == 1) {
    // Intranode metric: tokens each rank receives (self included), mean over ranks.
    counted = 0;
    for (int s = 0; s < ep; ++s) {
      for (int d = 0; d < ep; ++d) counted += r.copies.at(s, d);
    }
  }
  r.counted_per_rank = counted / ep;
  return r;
}

Routing ll_routing(const std::string& table, int ep, int tokens, int top_k, int experts) {
  Routing r;
  r.ep = ep;
  const int per_rank = experts / ep;
  r.copies.num_gpus = ep;
  r.copies.bytes.assign(static_cast<std::size_t>(ep) * ep, 0.0);
  std::vector<int> chosen;
  for (int s = 0; s < ep; ++s) {
    Rng rng(1, "deepep-" + table, static_cast<std::uint64_t>(ep * 100000 + s));
    for (int t = 0; t < tokens; ++t) {
      chosen.clear();
      while (static_cast<int>(chosen.size()) < top_k) {
        const int e = static_cast<int>(rng.below(static_cast<std::uint64_t>(experts)));
        if (std::find(chosen.begin(), chosen.end(), e) == chosen.end()) chosen.push_back(e);
      }
      for (int e : chosen) r.copies.at(s, e / per_rank) += 1;
    }
  }
  r.counted_per_rank = static_cast<double>(tokens) * top_k;
  return r;
}

// Parameters of one fit: latencies per kind and inverse efficiencies per transport.
struct Theta {
  double lat_dispatch_s = 0, lat_combine_s = 0, inv_nvl = 1.0, inv_rdma = 1.0;
};

double predict_time_s(const CommBenchRow& r, const Theta& th) {
  const double lat = r.kind == A2aKind::kDispatch ? th.lat_dispatch_s : th.lat_combine_s;
  return lat + std::max(r.link_times.nvlink_s * th.inv_nvl, r.link_times.rdma_s * th.inv_rdma);
}

double to_metric(const CommBenchRow& r, double t_s) {
  return r.metric == "us" ? t_s * 1e6 : r.counted_bytes / t_s / 1e9;
}

// Least squares on relative time errors. Which transport bounds a row depends on the
// parameters, so classify, solve, and repeat until the classification is stable. A negative
// latency is pinned to zero (a kernel cannot take less than its transfers).
Theta fit_rows(const std::vector<const CommBenchRow*>& rows, bool shared_latency) {
  Theta th;
  std::vector<char> bound_nvl(rows.size(), 2);
  for (int iter = 0; iter < 50; ++iter) {
    bool changed = false;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const char b = rows[i]->link_times.nvlink_s * th.inv_nvl >= rows[i]->link_times.rdma_s * th.inv_rdma;
      changed |= b != bound_nvl[i];
      bound_nvl[i] = b;
    }
    if (!changed) break;
    std::vector<char> pinned(4, 0);
    for (int attempt = 0; attempt < 3; ++attempt) {
      // Columns: 0 latency dispatch (or shared), 1 latency combine, 2 inv_nvl, 3 inv_rdma.
      Eigen::MatrixXd A = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows.size()), 4);
      Eigen::VectorXd y(static_cast<Eigen::Index>(rows.size()));
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = *rows[i];
        const double w = 1.0 / r.measured_s;
        const auto ii = static_cast<Eigen::Index>(i);
        const int lat_col = (shared_latency || r.kind == A2aKind::kDispatch) ? 0 : 1;
        A(ii, lat_col) = w;
        if (bound_nvl[i]) A(ii, 2) = r.link_times.nvlink_s * w;
        else A(ii, 3) = r.link_times.rdma_s * w;
        y(ii) = 1.0;
      }
      std::vector<int> cols;
      for (int c = 0; c < 4; ++c) {
        if (!pinned[static_cast<std::size_t>(c)] && A.col(c).squaredNorm() > 0) cols.push_back(c);
      }
      // Columns held fixed still contribute their current value.
      double* slot[4] = {&th.lat_dispatch_s, &th.lat_combine_s, &th.inv_nvl, &th.inv_rdma};
      for (int c = 0; c < 4; ++c) {
        if (std::find(cols.begin(), cols.end(), c) == cols.end()) y -= A.col(c) * *slot[c];
      }
      Eigen::MatrixXd Ab(A.rows(), static_cast<Eigen::Index>(cols.size()));
      for (std::size_t k = 0; k < cols.size(); ++k) Ab.col(static_cast<Eigen::Index>(k)) = A.col(cols[k]);
      const Eigen::VectorXd x = Ab.colPivHouseholderQr().solve(y);
      bool again = false;
      for (std::size_t k = 0; k < cols.size(); ++k) {
        double v = x(static_cast<Eigen::Index>(k));
        if (cols[k] <= 1 && v < 0) {
          v = 0;
          pinned[static_cast<std::size_t>(cols[k])] = 1;
          again = true;
        }
        *slot[cols[k]] = v;
      }
      if (shared_latency) th.lat_combine_s = th.lat_dispatch_s;
      if (!again) break;
    }
  }
  return th;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void summarize(CommTableFit& t) {
  std::vector<double> e, l;
  for (const auto& r : t.rows) {
    e.push_back(std::abs(r.error));
    l.push_back(std::abs(r.loo_error));
  }
  t.median_abs_error = median(e);
  t.max_abs_error = e.empty() ? 0 : *std::max_element(e.begin(), e.end());
  t.median_abs_loo = median(l);
  t.max_abs_loo = l.empty() ? 0 : *std::max_element(l.begin(), l.end());
}

std::string fmt(double v, int prec) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(prec);
  os << v;
  return os.str();
}

}  // namespace

CommFitReport fit_comm_model(const HardwareSpec& hw, const ModelSpec& model) {
  CommFitReport rep;
  const JsonReader root(hw.document, hw.file);
  const JsonReader bench = root.at("comm_benchmarks");
  bench.only_keys({"source", "tables"});
  const JsonReader tables = bench.at("tables");
  for (std::size_t ti = 0; ti < tables.array_size(); ++ti) {
    const JsonReader t = tables.at(ti);
    t.only_keys({"name", "source", "date", "primary", "kernel", "transport", "tokens_per_rank",
                 "hidden", "top_k", "num_experts", "max_topk_groups", "num_sms",
                 "dispatch_bytes_per_token", "combine_bytes_per_token", "metric", "note", "rows"});
    CommTableFit fit;
    fit.name = t.string("name");
    fit.source = t.string("source");
    fit.primary = t.boolean("primary");
    const std::string kernel = t.one_of("kernel", {"normal", "low_latency"});
    const A2aMode mode = kernel == "normal" ? A2aMode::kNormal : A2aMode::kLowLatency;
    fit.ll_nvlink = mode == A2aMode::kLowLatency && t.one_of("transport", {"rdma", "nvlink"}) == "nvlink";
    const int tokens = t.positive_int32("tokens_per_rank");
    const int top_k = t.positive_int32("top_k");
    const double disp_bytes = t.positive("dispatch_bytes_per_token");
    const double comb_bytes = t.positive("combine_bytes_per_token");
    FlowCommParams shape;
    shape.low_latency.use_nvlink = fit.ll_nvlink;
    shape.calibrated_sms = mode == A2aMode::kNormal ? t.positive_int32("num_sms") : 1;
    const FlowCommCostModel costing(model, hw, shape, CommTier::kBottleneck, 0.0);
    const JsonReader rows = t.at("rows");
    for (std::size_t ri = 0; ri < rows.array_size(); ++ri) {
      const JsonReader row = rows.at(ri);
      const int ep = row.positive_int32("ep");
      Routing routing;
      if (mode == A2aMode::kNormal) {
        routing = normal_routing(fit.name, ep, tokens, top_k, t.positive_int32("num_experts"),
                                 t.positive_int32("max_topk_groups"));
      } else {
        // DeepEP's LL test uses 288 experts; EP sizes that do not divide 288 need 256.
        const auto options = t.number_array("num_experts");
        int experts = 0;
        for (double e : options) {
          if (experts == 0 && static_cast<int>(e) % ep == 0) experts = static_cast<int>(e);
        }
        if (experts == 0) t.fail_at("num_experts", "an expert count divisible by EP " + std::to_string(ep));
        routing = ll_routing(fit.name, ep, tokens, top_k, experts);
      }
      for (A2aKind kind : {A2aKind::kDispatch, A2aKind::kCombine}) {
        const bool d = kind == A2aKind::kDispatch;
        const double per_copy = d ? disp_bytes : comb_bytes;
        CommBenchRow r;
        r.table = fit.name;
        r.mode = mode;
        r.kind = kind;
        r.ep = ep;
        AllToAllTraffic traffic;
        traffic.num_gpus = ep;
        traffic.bytes.assign(routing.copies.bytes.size(), 0.0);
        for (int s = 0; s < ep; ++s) {
          for (int q = 0; q < ep; ++q) {
            // Combine runs the dispatch backwards: expert GPU -> token owner.
            (d ? traffic.at(s, q) : traffic.at(q, s)) = routing.copies.at(s, q) * per_copy;
          }
        }
        std::vector<double> node_bytes(routing.node_tokens.size());
        for (std::size_t i = 0; i < node_bytes.size(); ++i) node_bytes[i] = routing.node_tokens[i] * per_copy;
        r.link_times = costing.link_times(traffic, mode == A2aMode::kNormal ? &node_bytes : nullptr, kind, mode);
        r.counted_bytes = routing.counted_per_rank * per_copy;
        if (mode == A2aMode::kNormal) {
          r.metric = "GB/s";
          r.measured = row.positive(d ? "dispatch_gb_per_s" : "combine_gb_per_s");
          r.measured_s = r.counted_bytes / (r.measured * 1e9);
        } else {
          r.metric = "us";
          r.measured = row.positive(d ? "dispatch_us" : "combine_us");
          r.measured_s = r.measured * 1e-6;
        }
        fit.rows.push_back(r);
      }
    }
    const bool shared_latency = mode == A2aMode::kNormal;
    std::vector<const CommBenchRow*> all;
    for (const auto& r : fit.rows) all.push_back(&r);
    const Theta th = fit_rows(all, shared_latency);
    for (std::size_t i = 0; i < fit.rows.size(); ++i) {
      std::vector<const CommBenchRow*> rest;
      for (std::size_t j = 0; j < fit.rows.size(); ++j) {
        if (j != i) rest.push_back(&fit.rows[j]);
      }
      const Theta loo = fit_rows(rest, shared_latency);
      auto& r = fit.rows[i];
      r.predicted = to_metric(r, predict_time_s(r, th));
      r.loo_predicted = to_metric(r, predict_time_s(r, loo));
      r.error = r.predicted / r.measured - 1.0;
      r.loo_error = r.loo_predicted / r.measured - 1.0;
    }
    summarize(fit);
    fit.params.calibrated_sms = shape.calibrated_sms;
    if (mode == A2aMode::kNormal) {
      fit.params.normal = {th.lat_dispatch_s * 1e9, 1.0 / th.inv_nvl, 1.0 / th.inv_rdma};
    } else {
      fit.params.low_latency = {th.lat_dispatch_s * 1e9, th.lat_combine_s * 1e9, 1.0 / th.inv_rdma,
                                fit.ll_nvlink ? 1.0 / th.inv_nvl : 1.0, fit.ll_nvlink};
    }
    if (fit.primary && mode == A2aMode::kNormal) {
      rep.fitted.normal = fit.params.normal;
      rep.fitted.calibrated_sms = fit.params.calibrated_sms;
    }
    if (fit.primary && mode == A2aMode::kLowLatency && !fit.ll_nvlink) rep.fitted.low_latency = fit.params.low_latency;
    if (fit.ll_nvlink) {
      rep.ll_nvlink_dispatch_latency_ns = fit.params.low_latency.dispatch_latency_ns;
      rep.ll_nvlink_combine_latency_ns = fit.params.low_latency.combine_latency_ns;
      rep.ll_nvlink_rdma_efficiency = fit.params.low_latency.rdma_efficiency;
      rep.ll_nvlink_nvlink_efficiency = fit.params.low_latency.nvlink_efficiency;
    }
    rep.tables.push_back(std::move(fit));
  }
  return rep;
}

std::string comm_fit_markdown(const CommFitReport& rep) {
  std::ostringstream os;
  for (const auto& t : rep.tables) {
    os << "### " << t.name << (t.primary ? " (primary)" : " (alternative)") << "\n\n";
    os << "Source: " << t.source << "\n\n";
    if (!t.rows.empty() && t.rows.front().mode == A2aMode::kNormal) {
      os << "Fitted: latency " << fmt(t.params.normal.latency_ns / 1e3, 1) << " us, NVLink efficiency "
         << fmt(t.params.normal.nvlink_efficiency, 3) << ", RDMA efficiency "
         << fmt(t.params.normal.rdma_efficiency, 3) << "\n\n";
    } else {
      os << "Fitted: dispatch latency " << fmt(t.params.low_latency.dispatch_latency_ns / 1e3, 1)
         << " us, combine latency " << fmt(t.params.low_latency.combine_latency_ns / 1e3, 1)
         << " us, RDMA efficiency " << fmt(t.params.low_latency.rdma_efficiency, 3);
      if (t.ll_nvlink) os << ", NVLink efficiency " << fmt(t.params.low_latency.nvlink_efficiency, 3);
      os << "\n\n";
    }
    os << "| kernel | EP | busiest NVLink port at nominal (us) | busiest NIC port at nominal (us) | "
          "published | fitted | error | leave-one-out | LOO error |\n";
    os << "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& r : t.rows) {
      os << "| " << (r.kind == A2aKind::kDispatch ? "dispatch" : "combine") << " | " << r.ep << " | "
         << fmt(r.link_times.nvlink_s * 1e6, 1) << " | " << fmt(r.link_times.rdma_s * 1e6, 1) << " | "
         << fmt(r.measured, r.metric == "us" ? 0 : 1) << " " << r.metric << " | "
         << fmt(r.predicted, 1) << " | " << fmt(100 * r.error, 1) << "% | " << fmt(r.loo_predicted, 1)
         << " | " << fmt(100 * r.loo_error, 1) << "% |\n";
    }
    os << "\n|error|: median " << fmt(100 * t.median_abs_error, 1) << "%, max "
       << fmt(100 * t.max_abs_error, 1) << "%; leave-one-out: median " << fmt(100 * t.median_abs_loo, 1)
       << "%, max " << fmt(100 * t.max_abs_loo, 1) << "%\n\n";
  }
  return os.str();
}

Json comm_model_json(const CommFitReport& rep, const std::string& fitted_on, const std::string& command) {
  Json j = Json::object();
  j["source"] = "fitted by calibrate/comm on the comm_benchmarks tables marked primary "
                "(normal: DeepEP README after 2025-04-22; low_latency: 2025-02 pure-RDMA table); "
                "low_latency_nvlink on the 2025-06 table. See docs/comm-calibration.md";
  j["fitted_on"] = fitted_on;
  j["command"] = command;
  j["calibrated_sms"] = rep.fitted.calibrated_sms;
  j["normal"] = {{"latency_ns", std::round(rep.fitted.normal.latency_ns)},
                 {"nvlink_efficiency", std::round(rep.fitted.normal.nvlink_efficiency * 1e4) / 1e4},
                 {"rdma_efficiency", std::round(rep.fitted.normal.rdma_efficiency * 1e4) / 1e4}};
  j["low_latency"] = {{"dispatch_latency_ns", std::round(rep.fitted.low_latency.dispatch_latency_ns)},
                      {"combine_latency_ns", std::round(rep.fitted.low_latency.combine_latency_ns)},
                      {"rdma_efficiency", std::round(rep.fitted.low_latency.rdma_efficiency * 1e4) / 1e4}};
  j["low_latency_nvlink"] = {{"dispatch_latency_ns", std::round(rep.ll_nvlink_dispatch_latency_ns)},
                             {"combine_latency_ns", std::round(rep.ll_nvlink_combine_latency_ns)},
                             {"rdma_efficiency", std::round(rep.ll_nvlink_rdma_efficiency * 1e4) / 1e4},
                             {"nvlink_efficiency", std::round(rep.ll_nvlink_nvlink_efficiency * 1e4) / 1e4}};
  Json loo = Json::object();
  for (const auto& t : rep.tables) {
    loo[t.name] = {{"median_abs", std::round(t.median_abs_loo * 1e4) / 1e4},
                   {"max_abs", std::round(t.max_abs_loo * 1e4) / 1e4}};
  }
  j["leave_one_out"] = loo;
  return j;
}

Json write_comm_model(Json doc, const CommFitReport& rep, const std::string& fitted_on,
                      const std::string& command) {
  doc["comm_model"] = comm_model_json(rep, fitted_on, command);
  return doc;
}

}  // namespace fleetsim
