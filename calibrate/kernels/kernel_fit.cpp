// Calibration of the kernel cost model on published rows. The five GEMM parameters are shared by
// the dense, contiguous-grouped and masked-grouped tables (one physical kernel family), fitted by
// Levenberg-Marquardt on log(predicted / measured time) with bounded reparametrisation; FlashMLA's
// published peaks fix the attention efficiencies directly.
#include "calibrate/kernels/kernel_fit.hpp"
#include "calibrate/kernels/error_stats.hpp"
#include "calibrate/kernels/markdown_format.hpp"
#include "sim/engine/portable_math.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>

namespace fleetsim {

namespace {

constexpr int kNumGemmParams = 8;
using Theta = Eigen::Matrix<double, kNumGemmParams, 1>;

constexpr double kTera = 1e12;
constexpr double kGiga = 1e9;

double logistic(double x) { return 1.0 / (1.0 + pmath::exp(-x)); }
double logit(double p) { return pmath::log(p / (1.0 - p)); }

// Efficiencies in (0, 1), times > 0, overlap exponent > 1: the fit cannot leave physical ground.
GemmModelParams to_params(const Theta& t) {
  GemmModelParams g;
  g.compute_efficiency = logistic(t(0));
  g.min_k_iteration_ns = pmath::exp(t(1));
  g.hbm_efficiency = logistic(t(2));
  g.fixed_ns = pmath::exp(t(3));
  g.overlap_exponent = 1.0 + pmath::exp(t(4));
  g.l2_bytes_per_s = pmath::exp(t(5)) * 1e12;
  g.unaligned_n_overhead = pmath::exp(t(6));
  g.wave_latency_ns = pmath::exp(t(7));
  return g;
}

Theta to_theta(const GemmModelParams& g) {
  Theta t;
  t << logit(g.compute_efficiency), pmath::log(g.min_k_iteration_ns), logit(g.hbm_efficiency),
      pmath::log(g.fixed_ns), pmath::log(g.overlap_exponent - 1.0), pmath::log(g.l2_bytes_per_s / 1e12),
      pmath::log(g.unaligned_n_overhead), pmath::log(g.wave_latency_ns);
  return t;
}

struct GemmRowRef {
  std::size_t table, row;
};

class GemmFitter {
 public:
  GemmFitter(const GpuSpec& gpu, const KernelModelParams& base, std::vector<const KernelBenchRow*> rows)
      : gpu_(gpu), base_(base), rows_(std::move(rows)) {
    // Each table (kernel class) weighs the same in the fit whatever its row count, so the 18
    // dense rows do not drown the 4 contiguous or 6 masked ones the bar also applies to.
    for (const KernelBenchRow* r : rows_) {
      std::size_t same = 0;
      for (const KernelBenchRow* o : rows_) same += o->op.cls == r->op.cls;
      weight_.push_back(1.0 / std::sqrt(static_cast<double>(same)));
    }
  }

  double predict_s(const Theta& t, const KernelBenchRow& r) const {
    KernelModelParams p = base_;
    p.gemm = to_params(t);
    return KernelCostModel(gpu_, p).cost(r.op, gpu_.sm_count).time_s;
  }

  Eigen::VectorXd residuals(const Theta& t) const {
    Eigen::VectorXd r(static_cast<Eigen::Index>(rows_.size()));
    KernelModelParams p = base_;
    p.gemm = to_params(t);
    const KernelCostModel m(gpu_, p);
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      r(static_cast<Eigen::Index>(i)) =
          weight_[i] *
          pmath::log(m.cost(rows_[i]->op, gpu_.sm_count).time_s / (rows_[i]->measured_us * 1e-6));
    }
    return r;
  }

  // Levenberg-Marquardt with a central-difference Jacobian.
  Theta solve(Theta t) const {
    Eigen::VectorXd r = residuals(t);
    double cost = r.squaredNorm();
    double lambda = 1e-3;
    constexpr double kStep = 1e-5;
    for (int iter = 0; iter < 400 && lambda < 1e10; ++iter) {
      Eigen::MatrixXd J(r.size(), kNumGemmParams);
      for (int j = 0; j < kNumGemmParams; ++j) {
        Theta a = t, b = t;
        a(j) += kStep;
        b(j) -= kStep;
        J.col(j) = (residuals(a) - residuals(b)) / (2 * kStep);
      }
      const Eigen::MatrixXd A = J.transpose() * J;
      const Eigen::VectorXd g = J.transpose() * r;
      Eigen::MatrixXd D = A.diagonal().asDiagonal();
      D += 1e-9 * Eigen::MatrixXd::Identity(kNumGemmParams, kNumGemmParams);
      const Theta delta = (A + lambda * D).ldlt().solve(-g);
      const Theta trial = t + delta;
      const Eigen::VectorXd rt = residuals(trial);
      const double ct = rt.squaredNorm();
      if (std::isfinite(ct) && ct < cost) {
        const double gain = cost - ct;
        t = trial, r = rt, cost = ct;
        lambda = std::max(lambda / 3, 1e-12);
        if (delta.norm() < 1e-9 || gain < 1e-14) break;
      } else {
        lambda *= 4;
      }
    }
    return t;
  }

  // Several starts (efficiency, pipeline floor, fixed latency, overlap), best cost kept: the wave
  // and pipeline-floor terms make the objective piecewise smooth.
  Theta solve_multistart(const std::vector<Theta>& starts) const {
    Theta best = starts.front();
    double best_cost = INFINITY;
    for (const Theta& s : starts) {
      const Theta t = solve(s);
      const double c = residuals(t).squaredNorm();
      if (c < best_cost) best_cost = c, best = t;
    }
    return best;
  }

 private:
  GpuSpec gpu_;
  KernelModelParams base_;
  std::vector<const KernelBenchRow*> rows_;
  std::vector<double> weight_;
};

std::vector<Theta> default_starts() {
  std::vector<Theta> s;
  for (double ec : {0.6, 0.8})
    for (double it : {40.0, 150.0})
      for (double fx : {1500.0, 5000.0})
        for (double p : {1.5, 4.0}) {
          GemmModelParams g;
          g.compute_efficiency = ec;
          g.min_k_iteration_ns = it;
          g.hbm_efficiency = 0.85;
          g.fixed_ns = fx;
          g.overlap_exponent = p;
          g.l2_bytes_per_s = 10e12;
          g.unaligned_n_overhead = 0.1;
          g.wave_latency_ns = 300;
          s.push_back(to_theta(g));
        }
  return s;
}

using error_stats::max_abs;
using error_stats::median_abs;

OpClass gemm_class(const JsonReader& t) {
  const std::string c = t.one_of("kernel_class", {"dense_gemm", "grouped_gemm_contiguous",
                                                  "grouped_gemm_masked", "mla_decode",
                                                  "attention_prefill"});
  if (c == "dense_gemm") return OpClass::kDenseGemm;
  if (c == "grouped_gemm_contiguous") return OpClass::kGroupedGemmContiguous;
  if (c == "grouped_gemm_masked") return OpClass::kGroupedGemmMasked;
  if (c == "mla_decode") return OpClass::kMlaDecode;
  return OpClass::kAttentionPrefill;
}

bool is_gemm(OpClass c) {
  return c == OpClass::kDenseGemm || c == OpClass::kGroupedGemmContiguous ||
         c == OpClass::kGroupedGemmMasked;
}

// The model operator with this (N, K) among one MoE prefill layer's GEMMs.
std::string operator_for(const ModelSpec* model, std::int64_t n, std::int64_t k) {
  if (model == nullptr) return "";
  RankBatch b;
  b.tokens = 1;
  b.sequences = 1;
  ExpertWork ex;
  ex.tokens_per_slot = {1};
  std::string names;
  for (const Operator& op : layer_operators(ModelShapes(*model), Phase::kPrefill, true, b, ex)) {
    if (op.n == n && op.k == k && op.cls != OpClass::kElementwise) {
      names += (names.empty() ? "" : ", ") + std::string(op.name);
    }
  }
  return names;
}

using report_format::fmt;
using report_format::pct;

}  // namespace

KernelFitReport fit_kernel_model(const HardwareSpec& hw, const KernelFitOptions& options) {
  KernelFitReport rep;
  rep.gpu = hw.gpu;
  rep.profile_file = hw.file;
  rep.fitted_on = options.fitted_on;
  rep.fitted_by = options.fitted_by;
  const JsonReader root(hw.document, hw.file);
  const JsonReader kb = root.at("kernel_benchmarks");
  rep.params.tiling = parse_gemm_tiling(kb.at("deepgemm_tiling"));

  // Pass 1: the tables to fit.
  std::optional<JsonReader> mla_holder, attn_holder;
  for (const std::string& name : kb.keys()) {
    if (name == "source" || name == "deepgemm_tiling") continue;
    const JsonReader t = kb.at(name);
    if (!t.boolean("fit")) continue;
    const OpClass cls = gemm_class(t);
    KernelTableFit tf;
    tf.name = name;
    tf.source = t.string("source");
    tf.kernel_class = to_string(cls);
    const JsonReader rows = t.at("rows");
    if (is_gemm(cls)) {
      tf.loo_defined = true;
      for (std::size_t i = 0; i < rows.array_size(); ++i) {
        const JsonReader r = rows.at(i);
        KernelBenchRow row;
        Operator& op = row.op;
        op.name = "benchmark";
        op.cls = cls;
        op.precision = t.one_of("precision", {"fp8", "bf16"}) == "fp8" ? OpPrecision::kFp8 : OpPrecision::kBf16;
        op.m = r.positive_int("m");
        op.n = r.positive_int("n");
        op.k = r.positive_int("k");
        // A grouped GEMM's row is meaningless without its group count; a dense one has one group.
        op.groups = cls == OpClass::kDenseGemm && !r.has("groups") ? 1 : r.positive_int("groups");
        const double ab = op.precision == OpPrecision::kFp8 ? 1.0 : 2.0;
        op.flops = gemm_flops(op.m, op.n, op.k, op.groups);
        op.bytes = gemm_bytes(op.m, op.n, op.k, op.groups, ab, rep.params.tiling.out_bytes_per_elem);
        row.metric = "TFLOPS";
        row.measured = r.positive("tflops");
        row.measured_us = op.flops / (row.measured * kTera) * 1e6;
        row.label = (op.groups > 1 || cls != OpClass::kDenseGemm
                         ? "g=" + std::to_string(op.groups) + " "
                         : std::string()) +
                    "m=" + std::to_string(op.m) + " n=" + std::to_string(op.n) +
                    " k=" + std::to_string(op.k);
        row.operator_name = operator_for(options.model, op.n, op.k);
        tf.rows.push_back(std::move(row));
      }
    } else if (cls == OpClass::kMlaDecode) {
      mla_holder = t;
    } else {
      attn_holder = t;
    }
    rep.tables.push_back(std::move(tf));
  }
  if (!mla_holder) kb.fail("a fitted table with kernel_class \"mla_decode\" (FlashMLA)");
  if (!attn_holder) kb.fail("a fitted table with kernel_class \"attention_prefill\"");

  // FlashMLA and prefill attention: the primary row's peaks as fractions of the GPU's peaks.
  auto primary_row = [](const JsonReader& t) {
    const JsonReader rows = t.at("rows");
    for (std::size_t i = 0; i < rows.array_size(); ++i) {
      if (rows.at(i).boolean("primary")) return rows.at(i);
    }
    t.fail_at("rows", "one row with \"primary\": true");
  };
  const JsonReader mp = primary_row(*mla_holder);
  rep.params.mla_compute_efficiency = mp.positive("compute_bound_tflops") * kTera / hw.gpu.bf16_flops_per_s;
  rep.params.mla_hbm_efficiency = mp.positive("memory_bound_gb_per_s") * kGiga / hw.gpu.hbm_bytes_per_s;
  rep.params.elementwise_hbm_efficiency = rep.params.mla_hbm_efficiency;
  const JsonReader ap = primary_row(*attn_holder);
  rep.params.prefill_attention_compute_efficiency =
      ap.positive("compute_bound_tflops") * kTera / hw.gpu.bf16_flops_per_s;
  for (KernelTableFit& tf : rep.tables) {
    if (tf.loo_defined) continue;
    const bool is_mla = tf.kernel_class == std::string("mla_decode");
    const JsonReader rows = (is_mla ? *mla_holder : *attn_holder).at("rows");
    for (std::size_t i = 0; i < rows.array_size(); ++i) {
      const JsonReader r = rows.at(i);
      const std::string version = r.string("version");
      if (r.has("compute_bound_tflops")) {
        KernelBenchRow row;
        row.label = version + " compute-bound";
        row.metric = "TFLOPS";
        row.measured = r.positive("compute_bound_tflops");
        row.predicted = (is_mla ? rep.params.mla_compute_efficiency
                                : rep.params.prefill_attention_compute_efficiency) *
                        hw.gpu.bf16_flops_per_s / kTera;
        row.error = row.predicted / row.measured - 1;
        tf.rows.push_back(row);
      }
      if (r.has("memory_bound_gb_per_s")) {
        KernelBenchRow row;
        row.label = version + " memory-bound";
        row.metric = "GB/s";
        row.measured = r.positive("memory_bound_gb_per_s");
        row.predicted = rep.params.mla_hbm_efficiency * hw.gpu.hbm_bytes_per_s / kGiga;
        row.error = row.predicted / row.measured - 1;
        tf.rows.push_back(row);
      }
    }
  }

  // GEMMs: fit on every GEMM row, then leave each row out in turn.
  std::vector<const KernelBenchRow*> all;
  for (const KernelTableFit& tf : rep.tables)
    if (tf.loo_defined)
      for (const KernelBenchRow& r : tf.rows) all.push_back(&r);
  if (all.size() < kNumGemmParams + 1) kb.fail("at least " + std::to_string(kNumGemmParams + 1) + " GEMM rows in fitted tables");
  const GemmFitter full(hw.gpu, rep.params, all);
  const Theta best = full.solve_multistart(default_starts());
  rep.params.gemm = to_params(best);
  const KernelCostModel fitted(hw.gpu, rep.params);
  double sum_sq_log = 0;  // unweighted, so the figure reads as a typical relative error
  for (const KernelBenchRow* r : all) {
    const double log_error = pmath::log(fitted.cost(r->op, hw.gpu.sm_count).time_s / (r->measured_us * 1e-6));
    sum_sq_log += log_error * log_error;
  }
  rep.rms_log_error = std::sqrt(sum_sq_log / static_cast<double>(all.size()));

  // Each leave-one-out fit starts from the full fit and a few spread starts.
  const std::vector<Theta> spread = default_starts();
  const std::vector<Theta> loo_starts = {best, spread.front(), spread[spread.size() / 2],
                                         spread.back()};
  for (KernelTableFit& tf : rep.tables) {
    if (!tf.loo_defined) continue;
    for (KernelBenchRow& row : tf.rows) {
      row.cost = fitted.cost(row.op, hw.gpu.sm_count);
      row.predicted_us = row.cost.time_s * 1e6;
      row.predicted = row.op.flops / row.cost.time_s / kTera;
      row.error = row.predicted / row.measured - 1;
      std::vector<const KernelBenchRow*> rest;
      for (const KernelBenchRow* r : all)
        if (r != &row) rest.push_back(r);
      const GemmFitter loo(hw.gpu, rep.params, rest);
      const Theta t = loo.solve_multistart(loo_starts);
      row.has_loo = true;
      row.loo_predicted = row.op.flops / loo.predict_s(t, row) / kTera;
      row.loo_error = row.loo_predicted / row.measured - 1;
    }
  }
  for (KernelTableFit& tf : rep.tables) {
    std::vector<double> e, l;
    for (const KernelBenchRow& r : tf.rows) {
      e.push_back(r.error);
      if (r.has_loo) l.push_back(r.loo_error);
    }
    tf.median_abs_error = median_abs(e);
    tf.max_abs_error = max_abs(e);
    tf.median_abs_loo = median_abs(l);
    tf.max_abs_loo = max_abs(l);
  }
  return rep;
}

bool meets_bar(const KernelFitReport& report, const KernelFitBar& bar, std::string* why) {
  bool ok = true;
  for (const KernelTableFit& t : report.tables) {
    if (!t.loo_defined) continue;
    if (t.median_abs_loo > bar.median_abs_loo || t.max_abs_loo > bar.max_abs_loo) {
      ok = false;
      if (why) {
        *why += t.name + ": LOO median " + pct(t.median_abs_loo) + ", max " + pct(t.max_abs_loo) +
                "; ";
      }
    }
  }
  return ok;
}

Json kernel_model_json(const KernelFitReport& rep) {
  const KernelModelParams& p = rep.params;
  Json quality = Json::object();
  for (const KernelTableFit& t : rep.tables) {
    Json q = {{"median_abs_error", std::round(t.median_abs_error * 1e4) / 1e4},
              {"max_abs_error", std::round(t.max_abs_error * 1e4) / 1e4}};
    if (t.loo_defined) {
      q["loo_median_abs_error"] = std::round(t.median_abs_loo * 1e4) / 1e4;
      q["loo_max_abs_error"] = std::round(t.max_abs_loo * 1e4) / 1e4;
    }
    quality[t.name] = q;
  }
  auto r4 = [](double x) { return std::round(x * 1e4) / 1e4; };
  auto r1 = [](double x) { return std::round(x * 10) / 10; };
  Json tiling = gemm_tiling_json(p.tiling);
  tiling["source"] = "copied from kernel_benchmarks.deepgemm_tiling";
  return {
      {"source",
       "fitted by calibrate/kernels (Levenberg-Marquardt on log time error) on the kernel_benchmarks "
       "tables marked fit: DeepGEMM v0325 dense/contiguous/masked GEMMs share the gemm parameters; "
       "FlashMLA new-kernel peaks give mla_decode; FlashMLA sparse prefill gives attention_prefill; "
       "elementwise takes FlashMLA's memory-bound rate. See docs/kernel-calibration.md"},
      {"fitted_on", rep.fitted_on},
      {"fitted_by", rep.fitted_by},
      {"tiling", tiling},
      {"gemm",
       {{"compute_efficiency", r4(p.gemm.compute_efficiency)},
        {"min_k_iteration_ns", r1(p.gemm.min_k_iteration_ns)},
        {"l2_bytes_per_s", std::round(p.gemm.l2_bytes_per_s / 1e9) * 1e9},
        {"unaligned_n_overhead", r4(p.gemm.unaligned_n_overhead)},
        {"hbm_efficiency", r4(p.gemm.hbm_efficiency)},
        {"fixed_ns", r1(p.gemm.fixed_ns)},
        {"wave_latency_ns", r1(p.gemm.wave_latency_ns)},
        {"overlap_exponent", r4(p.gemm.overlap_exponent)}}},
      {"mla_decode",
       {{"compute_efficiency", r4(p.mla_compute_efficiency)},
        {"hbm_efficiency", r4(p.mla_hbm_efficiency)}}},
      {"attention_prefill", {{"compute_efficiency", r4(p.prefill_attention_compute_efficiency)}}},
      {"elementwise", {{"hbm_efficiency", r4(p.elementwise_hbm_efficiency)}}},
      {"fit_quality", quality}};
}

Json write_kernel_model(Json profile_doc, const KernelFitReport& report) {
  profile_doc["kernel_model"] = kernel_model_json(report);
  return profile_doc;
}

std::string kernel_fit_markdown(const KernelFitReport& rep) {
  const KernelModelParams& p = rep.params;
  std::ostringstream o;
  o << "# Kernel cost-model calibration (" << rep.gpu.sm_count << "-SM H800 profile)\n\n"
    << "Generated by `" << rep.fitted_by << "` on " << rep.fitted_on
    << " from the `kernel_benchmarks` of `hw_profiles/h800.json`; do not edit by hand.\n\n"
    << "## The model\n\n"
    << "Each operator of a layer (sim/hw/operators.cpp) is costed by its class "
       "(sim/hw/kernel_cost_model.cpp):\n\n"
    << "- **GEMMs** (dense, grouped contiguous, grouped masked, batched BF16) follow DeepGEMM's "
       "persistent kernel. The tile is DeepGEMM's own choice (`block_m` 64 for M <= 64 else 128; "
       "`block_n` in 16..128 step 8 for the fewest waves, then the fullest last wave); "
       "`tiles = m_blocks * ceil(N / block_n)`, `waves = ceil(tiles / SMs)` with the SMs left to "
       "computation (132, or 108 while prefill communication holds 24). A tile takes "
       "`ceil(K / BLOCK_K) * max((1 + u) * 2*bm*bn*BLOCK_K / (peak_per_SM * e_c), (bm/c+bn)*BLOCK_K*active_SMs / L2, t_iter)`, u applying when BLOCK_K % block_n != 0 (two B scales per step), "
       "c = 2 when DeepGEMM multicasts the A tile over a 2-SM cluster (one group, M >= 1024, N a "
       "multiple of 2*block_n), else 1; "
       "compute time = waves x tile time. Load time = A and B bytes (read once) / (HBM * e_m) + "
       "waves x t_wave (each wave refills its operand pipeline from HBM). Store time = D bytes "
       "(written once, BF16) / (HBM * e_m): the output is stored after each tile's main loop, "
       "with every SM storing at once, so it adds to the kernel. "
       "Time = `t_fixed + (compute^p + load^p)^(1/p) + store`. The fit minimises the log time error "
       "with each table weighted equally (rows weighted 1/sqrt(rows in their table)).\n"
    << "- **MLA decode** (FlashMLA): `t_fixed + max(FLOPs / (BF16 peak * e_mla * SM share), KV "
       "bytes / (HBM * e_mla_hbm))` with FLOPs = 2*h*s_q*s_k*(576+512), bytes = s_k*576*2.\n"
    << "- **Prefill attention**: the same form with the sparse-prefill efficiency.\n"
    << "- **Elementwise** (norms, SwiGLU, quantisation, RoPE, embedding): `t_fixed + bytes / "
       "(HBM * e_elem)`.\n\n"
    << "## Fitted parameters\n\n"
    << "| parameter | value | from |\n|---|---|---|\n"
    << "| gemm.compute_efficiency (of " << fmt("%.0f", rep.gpu.fp8_flops_per_s / kTera)
    << " FP8 TFLOPS) | " << fmt("%.4f", p.gemm.compute_efficiency) << " | LM fit, all GEMM rows |\n"
    << "| gemm.min_k_iteration_ns | " << fmt("%.1f", p.gemm.min_k_iteration_ns) << " | LM fit |\n"
    << "| gemm.l2_bytes_per_s | " << fmt("%.3g", p.gemm.l2_bytes_per_s) << " | LM fit |\n"
    << "| gemm.unaligned_n_overhead | " << fmt("%.4f", p.gemm.unaligned_n_overhead)
    << " | LM fit |\n"
    << "| gemm.hbm_efficiency (of " << fmt("%.2f", rep.gpu.hbm_bytes_per_s / 1e12) << " TB/s) | "
    << fmt("%.4f", p.gemm.hbm_efficiency) << " | LM fit |\n"
    << "| gemm.fixed_ns | " << fmt("%.1f", p.gemm.fixed_ns) << " | LM fit |\n"
    << "| gemm.wave_latency_ns | " << fmt("%.1f", p.gemm.wave_latency_ns) << " | LM fit |\n"
    << "| gemm.overlap_exponent | " << fmt("%.3f", p.gemm.overlap_exponent) << " | LM fit |\n"
    << "| mla_decode.compute_efficiency (of " << fmt("%.0f", rep.gpu.bf16_flops_per_s / kTera)
    << " BF16 TFLOPS) | " << fmt("%.4f", p.mla_compute_efficiency)
    << " | FlashMLA 2025-04-22 compute-bound peak |\n"
    << "| mla_decode.hbm_efficiency | " << fmt("%.4f", p.mla_hbm_efficiency)
    << " | FlashMLA memory-bound 3000 GB/s |\n"
    << "| attention_prefill.compute_efficiency | "
    << fmt("%.4f", p.prefill_attention_compute_efficiency) << " | FlashMLA sparse prefill |\n"
    << "| elementwise.hbm_efficiency | " << fmt("%.4f", p.elementwise_hbm_efficiency)
    << " | FlashMLA memory-bound rate (best published streaming figure) |\n\n"
    << "RMS log error over all GEMM rows (full fit): " << fmt("%.4f", rep.rms_log_error) << ".\n\n"
    << "## Fit quality per table\n\n"
    << "Leave-one-out (LOO): the GEMM parameters refitted without the row, then the row "
       "predicted. Bar: median |LOO error| <= 5% and max <= 15% per GEMM table (tested by "
       "tests/kernels).\n\n"
    << "| table | class | rows | median abs err | max abs err | LOO median | LOO max |\n"
    << "|---|---|---|---|---|---|---|\n";
  for (const KernelTableFit& t : rep.tables) {
    o << "| " << t.name << " | " << t.kernel_class << " | " << t.rows.size() << " | "
      << fmt("%.1f%%", 100 * t.median_abs_error) << " | " << fmt("%.1f%%", 100 * t.max_abs_error)
      << " | " << (t.loo_defined ? fmt("%.1f%%", 100 * t.median_abs_loo) : "n/a") << " | "
      << (t.loo_defined ? fmt("%.1f%%", 100 * t.max_abs_loo) : "n/a") << " |\n";
  }
  for (const KernelTableFit& t : rep.tables) {
    o << "\n## " << t.name << "\n\nSource: " << t.source << "\n\n";
    if (t.loo_defined) {
      o << "| shape | model operator | tile (bm x bn) | waves | bound | measured TFLOPS | "
           "predicted TFLOPS | error | LOO predicted | LOO error |\n"
        << "|---|---|---|---|---|---|---|---|---|---|\n";
      for (const KernelBenchRow& r : t.rows) {
        o << "| " << r.label << " | " << (r.operator_name.empty() ? "-" : r.operator_name) << " | "
          << r.cost.block_m << "x" << r.cost.block_n << " | " << r.cost.waves << " | "
          << to_string(r.cost.bound) << " | " << fmt("%.0f", r.measured) << " | "
          << fmt("%.0f", r.predicted) << " | " << pct(r.error) << " | "
          << fmt("%.0f", r.loo_predicted) << " | " << pct(r.loo_error) << " |\n";
      }
    } else {
      o << "Each efficiency is fixed by one published figure (the row marked primary), so there "
           "is no leave-one-out; other versions are shown against it.\n\n"
        << "| row | metric | measured | model | error |\n|---|---|---|---|---|\n";
      for (const KernelBenchRow& r : t.rows) {
        o << "| " << r.label << " | " << r.metric << " | " << fmt("%.0f", r.measured) << " | "
          << fmt("%.0f", r.predicted) << " | " << pct(r.error) << " |\n";
      }
    }
  }
  // The facts-file check: one decode layer's core attention, 128 sequences x 4,989 KV tokens.
  Operator core;
  core.cls = OpClass::kMlaDecode;
  core.precision = OpPrecision::kBf16;
  constexpr double kSeqs = 128, kKv = 4989, kHeads = 128, kDk = 576, kDv = 512;
  core.flops = 2.0 * kHeads * kSeqs * kKv * (kDk + kDv);
  core.bytes = kSeqs * kKv * kDk * 2;
  const OpCost c = KernelCostModel(rep.gpu, p).cost(core, rep.gpu.sm_count);
  o << "\n## Check: decode core attention\n\n"
    << "128 sequences x 4,989 KV tokens, 128 heads, s_q = 1: "
    << fmt("%.1f", core.flops / 1e9) << " GFLOP, " << fmt("%.0f", core.bytes / 1e6)
    << " MB of KV: " << fmt("%.1f", c.time_s * 1e6) << " us (" << to_string(c.bound)
    << "-bound; the facts file derives ~270 us at 660 TFLOPS).\n";
  return o.str();
}

}  // namespace fleetsim
