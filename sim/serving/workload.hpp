// Workloads: where requests come from. A synthetic diurnal Poisson process with length
// distributions, or the replay of a Mooncake-format JSONL trace. Both are pull-based: the serving
// system asks for the next arrival, so only one arrival is ever pending in the event queue.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/rng.hpp"
#include "sim/engine/time.hpp"
#include "sim/spec/scenario_spec.hpp"

namespace fleetsim {

struct Arrival {
  TimeNs time_ns = 0;
  std::int64_t input_tok = 0;
  std::int64_t output_tok = 0;
  // Synthetic workloads draw the cached prefix directly; traces leave it to the prefix cache.
  std::int64_t cached_tok = 0;
  const std::vector<std::uint64_t>* hash_ids = nullptr;  // trace only: prefix blocks
};

class Workload {
 public:
  virtual ~Workload() = default;
  // Fills the next arrival (non-decreasing time); false when the workload is exhausted.
  virtual bool next(Arrival& out) = 0;
};

// Samples lengths from a LengthDistSpec (lognormal by mean and coefficient of variation).
class LengthSampler {
 public:
  explicit LengthSampler(const LengthDistSpec& spec);
  std::int64_t sample(Rng& rng) const;

 private:
  LengthDistSpec spec_;
  bool lognormal_;  // else "fixed": every request has the mean (kept, not compared per draw)
  double mu_ = 0, sigma_ = 0;
};

// Mean arrival rate, per second, of the weights' hour h (0 = the first weight's hour).
double hourly_rate_per_s(const WorkloadSpec& spec, std::size_t h);

// Poisson arrivals whose rate is piecewise constant by hour (the scenario's 24 weights).
class SyntheticWorkload final : public Workload {
 public:
  SyntheticWorkload(const WorkloadSpec& spec, TimeNs duration_ns, std::uint64_t seed);
  bool next(Arrival& out) override;
  // The instantaneous rate at `t_s` seconds from the start, per second.
  double rate_at(double t_s) const { return rate_at_weight_s(t_s + offset_s_); }

 private:
  // The process runs on the weights' own clock: seconds since the start of the first weight's
  // hour (offset_s_ at the run's start).
  double rate_at_weight_s(double u_s) const;
  // The linear shape's rate at the midpoint of hour h of the weights (any integer: the day wraps).
  double midpoint_rate(std::int64_t h) const;
  // The next arrival time after t_s_ under each shape (end_s when there is none before it).
  double next_step(double end_s);
  double next_linear(double end_s);

  WorkloadSpec spec_;
  TimeNs duration_ns_;
  std::vector<double> rate_per_s_;
  // Linear shape: the rate at each hour's midpoint, chosen so that the line through them gives
  // every hour exactly its mean rate (the day wraps around).
  std::vector<double> midpoint_rate_per_s_;
  LengthSampler input_, output_;
  Rng arrivals_rng_, lengths_rng_, cache_rng_;
  double offset_s_ = 0;  // the run's start on the weights' clock
  double t_s_ = 0;       // time of the last arrival on the weights' clock, in seconds
  // next_linear's current segment: the index of its first midpoint and the two midpoint rates.
  double segment_k_ = std::numeric_limits<double>::quiet_NaN();
  double segment_start_rate_ = 0, segment_end_rate_ = 0;
};

struct TraceRecord {
  TimeNs time_ns = 0;
  std::int64_t input_tok = 0;
  std::int64_t output_tok = 0;
  std::vector<std::uint64_t> hash_ids;
};

// Reads a Mooncake-format JSONL trace: one object a line with timestamp (ms), input_length,
// output_length and hash_ids. A bad line is a ConfigError naming the file and the line.
std::vector<TraceRecord> read_trace(const std::string& path);

class TraceWorkload final : public Workload {
 public:
  TraceWorkload(const WorkloadSpec& spec, TimeNs duration_ns);
  bool next(Arrival& out) override;
  std::size_t size() const { return records_.size(); }

 private:
  std::vector<TraceRecord> records_;
  double time_scale_;
  int repeat_;
  TimeNs period_ns_ = 0;  // one pass of the trace (for back-to-back repeats)
  TimeNs duration_ns_;
  std::size_t index_ = 0;
  int pass_ = 0;
};

// How long arrivals go on past the scenario's window: the system keeps its load while the
// window's last requests finish (see Metrics::close_window). A day is far beyond any stream's
// life; past it the system would run on without new arrivals.
inline constexpr TimeNs kArrivalsPastWindowNs = kNsPerDay;

// The scenario's arrivals, from its start to kArrivalsPastWindowNs past its window.
std::unique_ptr<Workload> make_workload(const ScenarioSpec& scenario);

}  // namespace fleetsim
