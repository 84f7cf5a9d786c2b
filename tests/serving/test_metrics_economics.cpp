// Histograms, node-time integration and the economics of a day.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "sim/engine/rng.hpp"
#include "sim/metrics/economics.hpp"
#include "sim/metrics/histogram.hpp"
#include "sim/metrics/metrics.hpp"
#include "sim/spec/scenario_spec.hpp"

using namespace fleetsim;

TEST_CASE("log histogram quantiles are within one bin of the exact ones") {
  LogHistogram h(1e-3, 1e4, 40);
  for (int i = 1; i <= 10000; ++i) h.add(i * 0.01);  // uniform on (0, 100]
  const double bin_ratio = std::pow(10.0, 1.0 / 40);  // 5.9% wide bins
  CHECK(h.quantile(0.5) == Approx(50).epsilon(bin_ratio - 1));
  CHECK(h.quantile(0.99) == Approx(99).epsilon(bin_ratio - 1));
  CHECK(h.mean() == Approx(50.005));
  CHECK(h.max() == Approx(100));
}

TEST_CASE("log histogram bins by table exactly as by the logarithm") {
  // Every layout the simulator uses, plus one bin and a narrow range.
  const std::vector<LogHistogram> layouts{LogHistogram(1e-3, 1e4, 40), LogHistogram(1.0, 1e5, 40),
                                          LogHistogram(0.01, 1e4, 40), LogHistogram(2.0, 3.0, 7),
                                          LogHistogram(5.0, 6.0, 1)};
  Rng rng(7, "histogram-bins");
  for (const LogHistogram& h : layouts) {
    // (+inf has no logarithm bin: converting log10(inf) to an integer is undefined.)
    CHECK(h.bin_of(std::numeric_limits<double>::infinity()) == h.bins() - 1);
    std::vector<double> xs{0.0, -1.0, std::nan(""), 1e-300, 1e300};
    for (std::size_t i = 0; i <= h.bins(); ++i) {
      // Around each bin's nominal edge, where the two computations could part.
      double x = h.bin_lo(i);
      for (int k = 0; k < 8; ++k) x = std::nextafter(x, 0.0);
      for (int k = 0; k < 16; ++k) xs.push_back(x), x = std::nextafter(x, 1e308);
    }
    for (int i = 0; i < 100000; ++i) xs.push_back(std::pow(10.0, rng.uniform() * 12 - 4));
    std::size_t mismatches = 0;
    for (const double x : xs) mismatches += h.bin_of(x) != h.bin_by_log(x);
    CHECK(mismatches == 0);
    // Larger values never land in lower bins, and every bin is reached.
    std::erase_if(xs, [](double x) { return !(x > 0); });
    std::sort(xs.begin(), xs.end());
    std::vector<bool> reached(h.bins(), false);
    bool monotone = true;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      reached[h.bin_of(xs[i])] = true;
      if (i > 0 && h.bin_of(xs[i]) < h.bin_of(xs[i - 1])) monotone = false;
    }
    CHECK(monotone);
    CHECK(std::count(reached.begin(), reached.end(), true) == static_cast<long>(h.bins()));
  }
}

TEST_CASE("node time is integrated by hour and by unit state") {
  Metrics m(3 * kNsPerHour, kNsPerHour);
  m.on_nodes(0, RoleNodes{0, 4, 0}, RoleNodes{0, 18, 0});
  // At 1.5 h a second prefill unit starts warming; at 2 h it serves and the decode unit drains.
  m.on_nodes(kNsPerHour + kNsPerHour / 2, RoleNodes{4, 4, 0}, RoleNodes{0, 18, 0});
  m.on_nodes(2 * kNsPerHour, RoleNodes{0, 8, 0}, RoleNodes{0, 0, 18});
  m.close_window(3 * kNsPerHour);
  REQUIRE(m.hours().size() == 3);
  CHECK(m.hours()[0].node_s == Approx(22 * 3600.0));
  CHECK(m.hours()[1].node_s == Approx(22 * 1800.0 + 26 * 1800.0));
  CHECK(m.hours()[2].node_s == Approx(26 * 3600.0));
  CHECK(m.peak_nodes() == 26);
  CHECK(m.min_nodes() == 22);
  CHECK(m.prefill_node_s_by_state().warming == Approx(4 * 1800.0));
  CHECK(m.prefill_node_s_by_state().active == Approx(4 * 7200.0 + 8 * 3600.0));
  CHECK(m.decode_node_s_by_state().active == Approx(18 * 7200.0));
  CHECK(m.decode_node_s_by_state().draining == Approx(18 * 3600.0));
  CHECK(m.node_s() == Approx(m.prefill_node_s() + m.decode_node_s()));
  CHECK(m.prefill_node_s() == Approx(4 * 5400.0 + 8 * 5400.0));
}

TEST_CASE("capacity is integrated over active nodes at the rate in force") {
  Metrics m(2 * kNsPerHour, kNsPerHour);
  m.on_nodes(0, RoleNodes{0, 4, 0}, RoleNodes{18, 0, 0});
  m.on_capacity(0, 100.0, 10.0);
  m.on_nodes(kNsPerHour / 2, RoleNodes{0, 4, 0}, RoleNodes{0, 18, 0});  // decode ready at 0.5 h
  m.on_capacity(kNsPerHour, 200.0, 20.0);
  m.close_window(2 * kNsPerHour);
  CHECK(m.prefill_capacity_tok() == Approx(4 * 100.0 * 3600 + 4 * 200.0 * 3600));
  // Warming nodes serve nothing: decode capacity only from 0.5 h.
  CHECK(m.decode_capacity_tok() == Approx(18 * 10.0 * 1800 + 18 * 20.0 * 3600));
}

TEST_CASE("the completed requests' lengths and KV length per output token are their mix") {
  Metrics m(kNsPerHour, kNsPerHour);
  CHECK(m.completed_mix().kv_tok_per_output_tok() == 0);  // nothing completed
  // 3 tokens after 10 of input are produced over 10, 11 and 12; 1 token after 4 over 4: 37 / 4.
  m.on_complete(1, 1000, 10, 6, 3);
  m.on_complete(2, 0, 4, 0, 1);
  CHECK(m.completed_mix().requests() == 2);
  CHECK(m.completed_mix().kv_tok_per_output_tok() == Approx(37.0 / 4));
  CHECK(m.completed_mix().mean_computed_tok() + m.completed_mix().mean_cached_tok() == Approx(7));
  CHECK(m.completed_mix().mean_cached_tok() == Approx(3));
  CHECK(m.completed_mix().mean_output_tok() == Approx(2));
}

TEST_CASE("Day-6 economics: 226.75 nodes for 24 h at $2 per GPU-hour is $87,072") {
  ScenarioSpec s = load_scenario(FLEETSIM_SOURCE_DIR "/scenarios/deepseek-v3-r1-day.json");
  std::vector<HourBucket> hours(24);
  for (auto& h : hours) {
    h.node_s = 226.75 * 3600;
    // The published token totals spread evenly: 608B input (342B hits), 168B output.
    h.input_tok = 608e9 / 24;
    h.cached_tok = 342e9 / 24;
    h.output_tok = 168e9 / 24;
  }
  const Economics e = compute_economics(hours, s);
  CHECK(e.cost_usd == Approx(87072));
  // 342B x $0.14 + 266B x $0.55 + 168B x $2.19 = $562,100 (Day-6 states $562,027 on unrounded
  // token counts).
  CHECK(e.theoretical_usd == Approx(562100));
  CHECK(e.margin_pct() == Approx((562100.0 / 87072 - 1) * 100));
  CHECK(e.actual_usd < e.theoretical_usd);
}

TEST_CASE("night discount overlap handles wrap-around windows") {
  CHECK(night_overlap(1.0, 0.5, 8.5) == Approx(1.0));
  CHECK(night_overlap(0.0, 0.5, 8.5) == Approx(0.5));
  CHECK(night_overlap(8.0, 0.5, 8.5) == Approx(0.5));
  CHECK(night_overlap(12.0, 0.5, 8.5) == Approx(0.0));
  CHECK(night_overlap(23.0, 22.5, 6.0) == Approx(1.0));
  CHECK(night_overlap(22.0, 22.5, 6.0) == Approx(0.5));
}
