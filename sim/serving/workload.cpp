// Synthetic diurnal Poisson workload and Mooncake trace replay.
#include "sim/serving/workload.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "sim/engine/portable_math.hpp"
#include "sim/spec/diurnal_shape.hpp"
#include "sim/util/json_reader.hpp"

namespace fleetsim {

LengthSampler::LengthSampler(const LengthDistSpec& spec)
    : spec_(spec), lognormal_(spec.kind == "lognormal") {
  if (lognormal_) {
    sigma_ = std::sqrt(pmath::log1p(spec_.cv * spec_.cv));
    mu_ = pmath::log(spec_.mean) - 0.5 * sigma_ * sigma_;
  }
}

std::int64_t LengthSampler::sample(Rng& rng) const {
  double x = spec_.mean;
  if (lognormal_) x = rng.lognormal(mu_, sigma_);
  const auto n = pmath::llround(x);
  return std::clamp(n, spec_.min_tok, spec_.max_tok);
}

double hourly_rate_per_s(const WorkloadSpec& spec, std::size_t h) {
  double sum = 0;
  for (double w : spec.hourly_weights) sum += w;
  return spec.requests_per_day * (spec.hourly_weights[h] / sum) / 3600.0;
}

SyntheticWorkload::SyntheticWorkload(const WorkloadSpec& spec, TimeNs duration_ns,
                                     std::uint64_t seed)
    : spec_(spec),
      duration_ns_(duration_ns),
      input_(spec.input),
      output_(spec.output),
      arrivals_rng_(seed, "workload.arrivals"),
      lengths_rng_(seed, "workload.lengths"),
      cache_rng_(seed, "workload.cache_hits"),
      offset_s_(spec.weights_offset_h * 3600.0),
      t_s_(offset_s_) {
  for (std::size_t h = 0; h < spec_.hourly_weights.size(); ++h) rate_per_s_.push_back(hourly_rate_per_s(spec_, h));
  if (spec_.hourly_shape == "linear") {
    midpoint_rate_per_s_ = linear_midpoint_rates(rate_per_s_);
    for (double m : midpoint_rate_per_s_)
      if (m < 0) throw std::invalid_argument("hourly weights without a positive linear shape");
  }
}

double SyntheticWorkload::midpoint_rate(std::int64_t h) const {
  return midpoint_rate_per_s_[static_cast<std::size_t>(((h % 24) + 24) % 24)];  // the day wraps
}

double SyntheticWorkload::rate_at_weight_s(double t_s) const {
  if (midpoint_rate_per_s_.empty()) return rate_per_s_[static_cast<std::size_t>(t_s / 3600.0) % 24];
  // Between the midpoints of hours k and k + 1 (k = -1 before the first midpoint: the day wraps).
  const double x = t_s / 3600.0 - 0.5;
  const auto k = static_cast<std::int64_t>(std::floor(x));
  const double f = x - static_cast<double>(k);
  return midpoint_rate(k) + f * (midpoint_rate(k + 1) - midpoint_rate(k));
}

double SyntheticWorkload::next_step(double end_s) {
  // Piecewise-constant Poisson: draw with the current hour's rate; if the draw crosses the hour
  // boundary, restart from the boundary with the next hour's rate (memorylessness makes it exact).
  double t_s = t_s_;
  while (t_s < end_s) {
    const int hour = static_cast<int>(t_s / 3600.0);
    const double boundary_s = (hour + 1) * 3600.0;
    const double rate = rate_per_s_[static_cast<std::size_t>(hour % 24)];
    if (rate > 0) {
      const double t = t_s + arrivals_rng_.exponential(1.0 / rate);
      if (t < boundary_s) return t;
    }
    t_s = boundary_s;
  }
  return end_s;
}

double SyntheticWorkload::next_linear(double end_s) {
  // Inversion on each segment between hour midpoints, where the rate is a + b s at s seconds
  // into it: the next arrival is where the integrated rate reaches an Exp(1) draw; past the
  // segment's end, restart there with a fresh draw (memorylessness makes it exact).
  // The segment's two midpoint rates are kept between arrivals (the same values, and so the same
  // a and b, as rate_at_weight_s gives at t_s and at the segment's end, where it is exactly the
  // second midpoint's rate).
  double t_s = t_s_;
  while (t_s < end_s) {
    const double x = t_s / 3600.0 - 0.5;
    const double k = std::floor(x);
    const double seg_end_s = (k + 1.5) * 3600.0;
    if (k != segment_k_) {
      segment_k_ = k;
      segment_start_rate_ = midpoint_rate(static_cast<std::int64_t>(k));
      segment_end_rate_ = midpoint_rate(static_cast<std::int64_t>(k) + 1);
    }
    const double a = segment_start_rate_ + (x - k) * (segment_end_rate_ - segment_start_rate_);
    const double b = (segment_end_rate_ - a) / (seg_end_s - t_s);
    const double span_s = seg_end_s - t_s;
    const double e = arrivals_rng_.exponential(1.0);
    if (e < a * span_s + b * span_s * span_s / 2) {
      // The root of a s + b s^2 / 2 = e in [0, span), in a form that is stable for b of either sign.
      return t_s + 2 * e / (a + std::sqrt(std::max(0.0, a * a + 2 * b * e)));
    }
    t_s = seg_end_s;
  }
  return end_s;
}

bool SyntheticWorkload::next(Arrival& out) {
  const double end_s = ns_to_seconds(duration_ns_) + offset_s_;
  t_s_ = midpoint_rate_per_s_.empty() ? next_step(end_s) : next_linear(end_s);
  if (t_s_ >= end_s) return false;
  out.time_ns = static_cast<TimeNs>((t_s_ - offset_s_) * 1e9);
  out.input_tok = input_.sample(lengths_rng_);
  out.output_tok = output_.sample(lengths_rng_);
  // Cached prefix share: uniform on an interval whose mean is the scenario's share.
  const double m = spec_.cache_hit_share;
  const double lo = m >= 0.5 ? 2.0 * m - 1.0 : 0.0, hi = m >= 0.5 ? 1.0 : 2.0 * m;
  const double share = cache_rng_.uniform(lo, hi);
  // At least one token is always computed: the prefill must produce the first token's logits.
  out.cached_tok = std::min<std::int64_t>(out.input_tok - 1,
                                          static_cast<std::int64_t>(share * out.input_tok));
  out.hash_ids = nullptr;
  return true;
}

std::vector<TraceRecord> read_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path, "", "cannot open the trace (expected a JSONL file)");
  std::vector<TraceRecord> out;
  std::string line;
  std::size_t line_no = 0;
  TimeNs last_ns = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    Json j;
    try {
      j = Json::parse(line);
    } catch (const Json::parse_error& e) {
      throw ConfigError(where, "", std::string("expected one JSON object per line: ") + e.what());
    }
    const JsonReader r(j, where);
    TraceRecord rec;
    const double ts_ms = r.non_negative("timestamp");
    rec.time_ns = static_cast<TimeNs>(std::llround(ts_ms * 1e6));
    if (rec.time_ns < last_ns) r.at("timestamp").fail("timestamps in non-decreasing order");
    last_ns = rec.time_ns;
    rec.input_tok = r.positive_int("input_length");
    rec.output_tok = r.positive_int("output_length");
    if (auto h = r.maybe("hash_ids")) {
      const std::size_t n = h->array_size();
      rec.hash_ids.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        const auto v = h->at(i).as_int();
        if (v < 0) h->at(i).fail("a non-negative block id");
        rec.hash_ids.push_back(static_cast<std::uint64_t>(v));
      }
    }
    out.push_back(std::move(rec));
  }
  if (out.empty()) throw ConfigError(path, "", "expected at least one request in the trace");
  return out;
}

TraceWorkload::TraceWorkload(const WorkloadSpec& spec, TimeNs duration_ns)
    : records_(read_trace(spec.trace_path)),
      time_scale_(spec.trace_time_scale),
      repeat_(spec.trace_repeat),
      duration_ns_(duration_ns) {
  // One pass lasts until the last arrival plus the mean gap, so repeats don't collide.
  const double span = static_cast<double>(records_.back().time_ns - records_.front().time_ns);
  const double gap = records_.size() > 1 ? span / static_cast<double>(records_.size() - 1) : 1e9;
  period_ns_ = static_cast<TimeNs>((span + gap) * time_scale_);
}

bool TraceWorkload::next(Arrival& out) {
  if (index_ == records_.size()) {
    index_ = 0;
    if (++pass_ >= repeat_) return false;
  }
  const TraceRecord& r = records_[index_++];
  out.time_ns = pass_ * period_ns_ +
                static_cast<TimeNs>(static_cast<double>(r.time_ns - records_.front().time_ns) *
                                    time_scale_);
  if (out.time_ns >= duration_ns_) return false;
  out.input_tok = r.input_tok;
  out.output_tok = r.output_tok;
  out.cached_tok = 0;
  out.hash_ids = &r.hash_ids;
  return true;
}

std::unique_ptr<Workload> make_workload(const ScenarioSpec& s) {
  const TimeNs end_ns = s.duration_ns + kArrivalsPastWindowNs;
  if (s.workload.kind == "trace") return std::make_unique<TraceWorkload>(s.workload, end_ns);
  return std::make_unique<SyntheticWorkload>(s.workload, end_ns, s.seed);
}

}  // namespace fleetsim
