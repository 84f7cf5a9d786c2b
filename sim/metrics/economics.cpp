// Economics from hourly token and node-time counters.
#include "sim/metrics/economics.hpp"

#include <algorithm>
#include <cmath>

namespace fleetsim {

double night_overlap(double start_h, double a, double b) {
  // Overlap of two intervals on a 24-hour circle, unrolled over three days to cover wrap-around.
  const double s = std::fmod(start_h, 24.0);
  const double len_w = b >= a ? b - a : b + 24.0 - a;
  double overlap = 0;
  for (int k = -1; k <= 1; ++k) {
    const double w0 = a + 24.0 * k, w1 = w0 + len_w;
    overlap += std::max(0.0, std::min(s + 1.0, w1) - std::max(s, w0));
  }
  return std::min(overlap, 1.0);
}

Economics compute_economics(const std::vector<HourBucket>& hours, const ScenarioSpec& s) {
  const auto& p = s.pricing;
  Economics e;
  for (std::size_t i = 0; i < hours.size(); ++i) {
    const auto& h = hours[i];
    HourEconomics he;
    he.clock_h = std::fmod(s.start_clock_h + static_cast<double>(i), 24.0);
    he.nodes_avg = h.node_s / 3600.0;
    he.cost_usd = h.node_s / 3600.0 * s.hardware.gpus_per_node * p.usd_per_gpu_hour;
    const double hit = h.cached_tok / 1e6, miss = (h.input_tok - h.cached_tok) / 1e6,
                 out = h.output_tok / 1e6;
    const double r1 = hit * p.r1_input_hit_usd_per_mtok + miss * p.r1_input_miss_usd_per_mtok +
                      out * p.r1_output_usd_per_mtok;
    const double v3 = hit * p.v3_input_hit_usd_per_mtok + miss * p.v3_input_miss_usd_per_mtok +
                      out * p.v3_output_usd_per_mtok;
    he.theoretical_usd = r1;
    const double night = night_overlap(he.clock_h, p.night_start_h, p.night_end_h);
    const double r1_factor = 1.0 - night * p.r1_night_discount;
    const double v3_factor = 1.0 - night * p.v3_night_discount;
    he.actual_usd = (1.0 - p.free_share) *
                    ((1.0 - p.v3_share) * r1 * r1_factor + p.v3_share * v3 * v3_factor);
    e.cost_usd += he.cost_usd;
    e.theoretical_usd += he.theoretical_usd;
    e.actual_usd += he.actual_usd;
    e.hours.push_back(he);
  }
  return e;
}

}  // namespace fleetsim
