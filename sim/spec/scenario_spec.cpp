// Loads and validates scenarios/*.json into a ScenarioSpec.
#include "sim/spec/scenario_spec.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "sim/spec/diurnal_shape.hpp"
#include "sim/spec/run_bounds.hpp"

namespace fleetsim {

namespace {

std::string resolve_path(const std::string& scenario_file, const std::string& rel) {
  namespace fs = std::filesystem;
  fs::path p(rel);
  if (p.is_absolute()) return p.string();
  return (fs::path(scenario_file).parent_path() / p).lexically_normal().string();
}

PublishedDay read_published_day(const JsonReader& r) {
  r.only_keys({"node_schedule", "hourly_from_clock_h", "hourly_cost_usd", "hourly_theoretical_income_usd",
               "unit_nodes", "source"});
  PublishedDay d;
  const JsonReader steps = r.at("node_schedule");
  const std::size_t n = steps.array_size();
  if (n == 0) steps.fail("a non-empty array of {clock_h, nodes}");
  const bool with_units = steps.at(0).has("decode_units") || steps.at(0).has("prefill_units");
  if (with_units) {
    // The published fleet's own unit shapes: its steps add up against these, whatever a what-if
    // does to the deployment.
    const JsonReader u = r.at("unit_nodes");
    u.only_keys({"prefill", "decode"});
    d.prefill_nodes_per_unit = u.positive_int32("prefill");
    d.decode_nodes_per_unit = u.positive_int32("decode");
  }
  for (std::size_t i = 0; i < n; ++i) {
    const JsonReader e = steps.at(i);
    PublishedNodeStep step;
    step.clock_h = e.non_negative("clock_h");
    if (step.clock_h >= 24) e.at("clock_h").fail("an hour in [0, 24)");
    if (!d.node_schedule.empty() && step.clock_h <= d.node_schedule.back().clock_h)
      e.at("clock_h").fail("an hour after the previous step's (steps in clock order from midnight)");
    step.nodes = e.non_negative("nodes");
    if (with_units) {
      // Every step or none: a fleet that can be simulated needs every step's units.
      e.only_keys({"clock_h", "nodes", "prefill_units", "decode_units"});
      step.prefill_units = e.positive_int32("prefill_units");
      step.decode_units = e.positive_int32("decode_units");
      const int unit_nodes =
          step.prefill_units * d.prefill_nodes_per_unit + step.decode_units * d.decode_nodes_per_unit;
      if (unit_nodes != step.nodes)
        e.at("nodes").fail("the step's units' nodes (" + std::to_string(step.prefill_units) + " x " +
                           std::to_string(d.prefill_nodes_per_unit) + " + " + std::to_string(step.decode_units) +
                           " x " + std::to_string(d.decode_nodes_per_unit) + " = " + std::to_string(unit_nodes) + ")");
    } else {
      e.only_keys({"clock_h", "nodes"});
    }
    d.node_schedule.push_back(step);
  }
  d.hours_start_clock_h = r.non_negative("hourly_from_clock_h");
  if (d.hours_start_clock_h >= 24 || d.hours_start_clock_h != std::floor(d.hours_start_clock_h))
    r.at("hourly_from_clock_h").fail("a whole hour in [0, 24)");
  auto bars = [&](const char* key) {
    std::vector<double> v = r.number_array(key);
    if (v.size() != 24) r.at(key).fail("an array of 24 numbers");
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!(v[i] >= 0)) r.at(key).at(i).fail("a number >= 0");
    return v;
  };
  d.hourly_cost_usd = bars("hourly_cost_usd");
  d.hourly_theoretical_income_usd = bars("hourly_theoretical_income_usd");
  d.source = r.string("source");
  return d;
}

UnitSpec read_unit(const JsonReader& r, bool decode, const ModelSpec& m, const HardwareSpec& h) {
  if (decode) {
    r.only_keys({"nodes_per_unit", "dp_degree", "ep_degree", "redundant_experts", "overlap",
                 "comm_sms", "max_batch_per_gpu", "mtp"});
  } else {
    r.only_keys({"nodes_per_unit", "dp_degree", "ep_degree", "redundant_experts", "overlap",
                 "comm_sms", "token_budget_per_gpu"});
  }
  UnitSpec u;
  u.nodes_per_unit = r.positive_int32("nodes_per_unit");
  if (u.nodes_per_unit > kMaxClusterNodes) r.at("nodes_per_unit").fail(kClusterNodesRange);
  u.gpus_per_unit = u.nodes_per_unit * h.gpus_per_node;
  u.dp_degree = r.positive_int32("dp_degree");
  u.ep_degree = r.positive_int32("ep_degree");
  u.redundant_experts = r.non_negative_int32("redundant_experts");
  u.overlap = r.boolean("overlap");
  u.comm_sms = r.non_negative_int32("comm_sms");
  const std::string gpus = std::to_string(u.gpus_per_unit) + " (" +
                           std::to_string(u.nodes_per_unit) + " nodes x " +
                           std::to_string(h.gpus_per_node) + " GPUs)";
  if (u.ep_degree != u.gpus_per_unit)
    r.at("ep_degree").fail("the unit's GPU count " + gpus);
  if (u.dp_degree != u.gpus_per_unit)
    r.at("dp_degree").fail("the unit's GPU count " + gpus + " (attention is data-parallel)");
  const int slots = m.moe.num_routed_experts + u.redundant_experts;
  if (slots % u.ep_degree != 0)
    r.at("redundant_experts")
        .fail("a count making routed + redundant experts (" + std::to_string(slots) +
              ") a multiple of ep_degree " + std::to_string(u.ep_degree) +
              " so that expert slots fit evenly on the GPUs");
  u.slots_per_gpu = slots / u.ep_degree;
  if (u.comm_sms >= h.gpu.sm_count)
    r.at("comm_sms").fail("fewer than the GPU's " + std::to_string(h.gpu.sm_count) + " SMs");
  if (decode) {
    u.max_batch_per_gpu = r.positive_int("max_batch_per_gpu");
    const JsonReader mtp = r.at("mtp");
    mtp.only_keys({"enabled", "acceptance_rate"});
    u.mtp = mtp.boolean("enabled");
    u.mtp_acceptance = mtp.fraction("acceptance_rate");
    if (u.mtp && m.mtp_layers == 0) mtp.at("enabled").fail("false: the model has no MTP module");
  } else {
    u.token_budget_per_gpu = r.positive_int("token_budget_per_gpu");
  }
  return u;
}

// A unit's weights must fit each of its GPUs (prefill runs the MTP module whenever the model has
// one), and a decode GPU must keep room for KV after them and the reserve.
void check_weights_fit(const JsonReader& deployment, const ScenarioSpec& s) {
  auto gb = [](double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GB", bytes / 1e9);
    return std::string(text);
  };
  const double hbm = s.hardware.gpu.hbm_bytes;
  const double prefill = s.model.weight_bytes_per_gpu(s.prefill.slots_per_gpu, s.model.mtp_layers > 0);
  if (prefill >= hbm)
    deployment.fail_at("prefill", "a unit whose weights fit its GPUs: " + std::to_string(s.prefill.slots_per_gpu) +
                                      " expert slots per GPU make " + gb(prefill) + " of weights per GPU, " +
                                      "not under its " + gb(hbm) + " of HBM (more nodes per unit or fewer "
                                      "redundant experts)");
  const double decode = s.model.weight_bytes_per_gpu(s.decode.slots_per_gpu, s.decode.mtp);
  const double usable = hbm * (1.0 - s.kv_reserve_fraction);
  if (decode >= usable)
    deployment.fail_at("decode", "a unit that keeps HBM for the KV cache: " + std::to_string(s.decode.slots_per_gpu) +
                                     " expert slots per GPU make " + gb(decode) + " of weights per GPU, not under " +
                                     "the " + gb(usable) + " of HBM that kv_reserve_fraction leaves");
}

LengthDistSpec read_length(const JsonReader& r) {
  LengthDistSpec d;
  d.kind = r.one_of("dist", {"lognormal", "fixed"});
  if (d.kind == "lognormal") {
    r.only_keys({"dist", "mean", "cv", "min", "max"});
    d.cv = r.positive("cv");
  } else {
    r.only_keys({"dist", "mean", "min", "max"});
  }
  d.mean = r.positive("mean");
  d.min_tok = r.positive_int("min");
  d.max_tok = r.positive_int("max");
  if (d.max_tok < d.min_tok) r.at("max").fail("an integer >= min");
  if (d.mean < static_cast<double>(d.min_tok) || d.mean > static_cast<double>(d.max_tok))
    r.at("mean").fail("a mean between min and max");
  return d;
}

WorkloadSpec read_workload(const JsonReader& r, const std::string& scenario_file, double start_clock_h) {
  WorkloadSpec w;
  w.kind = r.one_of("type", {"synthetic", "trace"});
  if (w.kind == "synthetic") {
    r.only_keys({"type", "hourly_weights", "weights_start_clock_h", "hourly_shape", "requests_per_day",
                 "input_tokens", "output_tokens", "cache_hit_share", "derivation"});
    w.hourly_weights = r.number_array("hourly_weights");
    if (w.hourly_weights.size() != 24) r.at("hourly_weights").fail("an array of 24 numbers");
    double sum = 0;
    for (std::size_t i = 0; i < 24; ++i) {
      if (!(w.hourly_weights[i] >= 0)) r.at("hourly_weights").at(i).fail("a number >= 0");
      sum += w.hourly_weights[i];
    }
    if (!(sum > 0)) r.at("hourly_weights").fail("weights with a positive sum");
    // Weights tied to the wall clock: a run starting at another hour (a night window, say) sees
    // that hour's load, not the first weight's.
    if (r.maybe("weights_start_clock_h")) {
      const double first_h = r.non_negative("weights_start_clock_h");
      if (first_h >= 24) r.at("weights_start_clock_h").fail("an hour in [0, 24)");
      w.weights_offset_h = std::fmod(start_clock_h - first_h + 24.0, 24.0);
    }
    if (r.maybe("hourly_shape")) w.hourly_shape = r.one_of("hourly_shape", {"linear", "step"});
    if (w.hourly_shape == "linear") {
      const std::vector<double> mid = linear_midpoint_rates(w.hourly_weights);
      for (std::size_t h = 0; h < mid.size(); ++h)
        if (mid[h] < 0)
          r.at("hourly_weights").at(h).fail(
              "an hour not so far below its neighbours that a linearly moving rate would turn "
              "negative here (or \"hourly_shape\": \"step\")");
    }
    w.requests_per_day = r.positive("requests_per_day");
    if (w.requests_per_day > kMaxRequestsPerDay) r.at("requests_per_day").fail("a number in (0, 1e12]");
    w.input = read_length(r.at("input_tokens"));
    w.output = read_length(r.at("output_tokens"));
    w.cache_hit_share = r.fraction("cache_hit_share");
  } else {
    r.only_keys({"type", "path", "time_scale", "repeat", "kv_block_tokens", "prefix_cache_blocks"});
    w.trace_path = resolve_path(scenario_file, r.string("path"));
    w.trace_time_scale = r.positive("time_scale");
    const std::int64_t repeat = r.positive_int("repeat");
    if (repeat > kMaxTraceRepeats) r.at("repeat").fail("an integer in [1, 1000000]");
    w.trace_repeat = static_cast<int>(repeat);
    w.kv_block_tok = r.positive_int("kv_block_tokens");
    w.prefix_cache_blocks = r.non_negative_int("prefix_cache_blocks");
  }
  return w;
}

PricingSpec read_pricing(const JsonReader& r, const HardwareSpec& h) {
  r.only_keys({"usd_per_gpu_hour", "r1", "v3", "v3_share", "free_share", "night_discount"});
  PricingSpec p;
  // The GPU price belongs to the hardware profile; a scenario may override it.
  p.usd_per_gpu_hour = r.has("usd_per_gpu_hour") ? r.positive("usd_per_gpu_hour") : h.usd_per_gpu_hour;
  const JsonReader r1 = r.at("r1");
  r1.only_keys({"input_hit_usd_per_mtok", "input_miss_usd_per_mtok", "output_usd_per_mtok"});
  p.r1_input_hit_usd_per_mtok = r1.non_negative("input_hit_usd_per_mtok");
  p.r1_input_miss_usd_per_mtok = r1.non_negative("input_miss_usd_per_mtok");
  p.r1_output_usd_per_mtok = r1.non_negative("output_usd_per_mtok");
  const JsonReader v3 = r.at("v3");
  v3.only_keys({"input_hit_usd_per_mtok", "input_miss_usd_per_mtok", "output_usd_per_mtok"});
  p.v3_input_hit_usd_per_mtok = v3.non_negative("input_hit_usd_per_mtok");
  p.v3_input_miss_usd_per_mtok = v3.non_negative("input_miss_usd_per_mtok");
  p.v3_output_usd_per_mtok = v3.non_negative("output_usd_per_mtok");
  p.v3_share = r.fraction("v3_share");
  p.free_share = r.fraction("free_share");
  const JsonReader n = r.at("night_discount");
  n.only_keys({"start_h", "end_h", "r1_discount", "v3_discount"});
  p.night_start_h = n.non_negative("start_h");
  p.night_end_h = n.non_negative("end_h");
  if (p.night_start_h >= 24) n.at("start_h").fail("an hour in [0, 24)");
  if (p.night_end_h >= 24) n.at("end_h").fail("an hour in [0, 24)");
  p.r1_night_discount = n.fraction("r1_discount");
  p.v3_night_discount = n.fraction("v3_discount");
  return p;
}

}  // namespace

ScenarioSpec load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                           double scale) {
  ScenarioSpec s;
  s.file = path;
  s.raw = load_json_file(path);
  for (const auto& o : overrides) apply_override(s.raw, path, o);
  if (!(scale > 0 && scale <= 1.0))
    throw ConfigError(path, "", "--scale expects a fraction in (0, 1], got " + std::to_string(scale));
  s.scale = scale;
  const JsonReader r(s.raw, path);
  r.only_keys({"name", "description", "seed", "duration_s", "start_clock_h", "sample_interval_s",
               "model", "hardware", "cluster", "deployment", "workload", "slo", "policies",
               "pricing", "validation", "published_day"});
  s.name = r.string("name");
  s.seed = static_cast<std::uint64_t>(r.non_negative_int("seed"));
  const double duration_s = r.positive("duration_s");
  if (duration_s > kMaxDurationS) r.at("duration_s").fail("a number of seconds in (0, 31622400] (366 days at most)");
  s.duration_ns = seconds_to_ns(duration_s);
  s.start_clock_h = r.non_negative("start_clock_h");
  if (s.start_clock_h >= 24) r.at("start_clock_h").fail("an hour in [0, 24)");
  s.sample_interval_ns = seconds_to_ns(r.positive("sample_interval_s"));
  check_repeats(r.at("sample_interval_s"), s.duration_ns);
  s.model = load_model_spec(resolve_path(path, r.string("model")));
  s.hardware = load_hardware_spec(resolve_path(path, r.string("hardware")));

  const JsonReader c = r.at("cluster");
  c.only_keys({"nodes"});
  s.cluster_nodes = c.positive_int32("nodes");
  if (s.cluster_nodes > kMaxClusterNodes) c.at("nodes").fail(kClusterNodesRange);

  const JsonReader d = r.at("deployment");
  d.only_keys({"prefill", "decode", "kv_reserve_fraction"});
  s.prefill = read_unit(d.at("prefill"), false, s.model, s.hardware);
  s.decode = read_unit(d.at("decode"), true, s.model, s.hardware);
  s.kv_reserve_fraction = d.fraction("kv_reserve_fraction");
  check_weights_fit(d, s);
  if (s.prefill.nodes_per_unit + s.decode.nodes_per_unit > s.cluster_nodes)
    c.at("nodes").fail("at least one prefill unit plus one decode unit (" +
                       std::to_string(s.prefill.nodes_per_unit + s.decode.nodes_per_unit) +
                       " nodes)");

  s.workload = read_workload(r.at("workload"), path, s.start_clock_h);
  const JsonReader slo = r.at("slo");
  slo.only_keys({"ttft_p99_s", "min_output_tok_per_s", "max_queue_wait_s"});
  s.slo.ttft_p99_s = slo.positive("ttft_p99_s");
  s.slo.min_output_tok_per_s = slo.positive("min_output_tok_per_s");
  s.slo.max_queue_wait_s = slo.positive("max_queue_wait_s");
  s.pricing = read_pricing(r.at("pricing"), s.hardware);
  const JsonReader pol = r.at("policies");
  pol.only_keys({"prefill_lb", "decode_lb", "eplb", "expert_routing", "eplb_period_s",
                 "autoscaler", "layer_cost_model", "comm_cost_model"});
  s.policies = pol.json();
  s.eplb_period_ns = seconds_to_ns(pol.positive("eplb_period_s"));
  check_repeats(pol.at("eplb_period_s"), s.duration_ns);

  if (auto v = r.maybe("validation")) {
    for (std::size_t i = 0; i < v->array_size(); ++i) {
      const JsonReader t = v->at(i);
      t.only_keys({"metric", "label", "published", "tolerance_pct", "source", "scales_with_load"});
      const double published = t.number("published");
      if (published == 0) t.at("published").fail("a non-zero number (the error is relative to it)");
      s.validation.push_back({t.string("metric"), t.string("label"), published,
                              t.positive("tolerance_pct"), t.string("source"), t.boolean("scales_with_load")});
    }
  }

  if (auto d = r.maybe("published_day")) s.published_day = read_published_day(*d);

  // --scale shrinks load and the node pool together (at least one unit of each kind).
  if (scale < 1.0) {
    s.workload.requests_per_day *= scale;
    s.workload.trace_time_scale /= scale;
    const int min_nodes = s.prefill.nodes_per_unit + s.decode.nodes_per_unit;
    s.cluster_nodes = std::max(min_nodes, static_cast<int>(std::ceil(s.cluster_nodes * scale)));
    // The published day and totals are compared at the same scale.
    if (s.published_day) {
      for (PublishedNodeStep& step : s.published_day->node_schedule) step.nodes *= scale;
      for (double& usd : s.published_day->hourly_cost_usd) usd *= scale;
      for (double& usd : s.published_day->hourly_theoretical_income_usd) usd *= scale;
    }
    for (ValidationTarget& t : s.validation) {
      if (t.scales_with_load) t.published *= scale;
    }
  }
  return s;
}

}  // namespace fleetsim
