// Synthetic diurnal workload and Mooncake trace replay.
#include <catch2/catch.hpp>

#include "sim/serving/prefix_cache.hpp"
#include "sim/serving/workload.hpp"
#include "sim/spec/diurnal_shape.hpp"

using namespace fleetsim;

namespace {
WorkloadSpec synthetic(double per_day) {
  WorkloadSpec w;
  w.kind = "synthetic";
  w.hourly_weights.assign(24, 1.0);
  w.hourly_weights[1] = 3.0;  // hour 1 has three times the rate of the others
  w.requests_per_day = per_day;
  w.input = {"lognormal", 3909, 1.3, 1, 65536};
  w.output = {"lognormal", 1080, 1.0, 1, 32768};
  w.cache_hit_share = 0.563;
  return w;
}
}  // namespace

TEST_CASE("synthetic arrivals follow the hourly rates and the length means") {
  SyntheticWorkload wl(synthetic(26 * 3600.0), 2 * kNsPerHour, 7);  // 1/s in hour 0, 3/s in hour 1
  Arrival a;
  std::uint64_t n0 = 0, n1 = 0;
  double in = 0, out = 0, cached = 0;
  TimeNs last = 0;
  while (wl.next(a)) {
    REQUIRE(a.time_ns >= last);
    last = a.time_ns;
    (a.time_ns < kNsPerHour ? n0 : n1)++;
    in += static_cast<double>(a.input_tok);
    out += static_cast<double>(a.output_tok);
    cached += static_cast<double>(a.cached_tok);
    REQUIRE(a.cached_tok < a.input_tok);
  }
  // Poisson counts: 3600 and 10800 expected, sd 60 and 104: 4 sd bands.
  CHECK(std::abs(static_cast<double>(n0) - 3600) < 240);
  CHECK(std::abs(static_cast<double>(n1) - 10800) < 420);
  const double n = static_cast<double>(n0 + n1);
  CHECK(in / n == Approx(3909).epsilon(0.05));
  CHECK(out / n == Approx(1080).epsilon(0.05));
  CHECK(cached / in == Approx(0.563).epsilon(0.03));
}

TEST_CASE("the linear diurnal shape keeps every hour's mean and moves between hours") {
  // The Day-6 weights: the line through the midpoint rates integrates to each hour's weight.
  const std::vector<double> day6 = {27.0, 28.5, 30.4, 30.9, 30.4, 27.8, 26.8, 29.5, 30.7, 30.8, 31.0, 29.8,
                                    21.7, 17.9, 13.1, 8.0,  6.4,  6.4,  8.0,  13.7, 23.1, 29.4, 30.4, 29.9};
  const std::vector<double> mid = linear_midpoint_rates(day6);
  for (std::size_t h = 0; h < 24; ++h)
    CHECK((mid[(h + 23) % 24] + 6 * mid[h] + mid[(h + 1) % 24]) / 8 == Approx(day6[h]).epsilon(1e-12));
  CHECK(linear_midpoint_rates(std::vector<double>(24, 2.0)) == std::vector<double>(24, 2.0));

  // Hour 1 at three times the others: its rate rises through the end of hour 0 and falls
  // through the start of hour 2, each hour's count staying at its mean.
  WorkloadSpec w = synthetic(26 * 3600.0 * 20);  // 20/s in hour 0, 60/s in hour 1
  SyntheticWorkload wl(w, 3 * kNsPerHour, 11);
  CHECK(wl.rate_at(900) < wl.rate_at(2700));
  CHECK(wl.rate_at(2 * 3600 + 900) > wl.rate_at(2 * 3600 + 2700));
  // Expected arrivals per half hour, by integrating the rate; Poisson counts within 5 sd.
  std::vector<double> expected(6, 0.0), seen(6, 0.0);
  constexpr int kSteps = 1800;
  for (int i = 0; i < 6; ++i)
    for (int k = 0; k < kSteps; ++k) expected[static_cast<std::size_t>(i)] += wl.rate_at(i * 1800.0 + k + 0.5);
  Arrival a;
  while (wl.next(a)) seen[static_cast<std::size_t>(a.time_ns / (kNsPerHour / 2))] += 1;
  for (int i = 0; i < 6; ++i) {
    const auto at = static_cast<std::size_t>(i);
    CHECK(std::abs(seen[at] - expected[at]) < 5 * std::sqrt(expected[at]));
  }
  CHECK(expected[0] + expected[1] == Approx(20 * 3600.0).epsilon(1e-6));
  CHECK(expected[2] + expected[3] == Approx(60 * 3600.0).epsilon(1e-6));
  CHECK(expected[1] > expected[0] * 1.2);  // the ramp towards hour 1 shows inside hour 0
}

TEST_CASE("weights tied to the wall clock: a run that starts later sees that hour's load") {
  // The run starts one hour after the first weight's hour: its first hour is the 3x hour.
  WorkloadSpec w = synthetic(26 * 3600.0);
  w.hourly_shape = "step";
  w.weights_offset_h = 1;
  SyntheticWorkload wl(w, 2 * kNsPerHour, 7);
  Arrival a;
  std::uint64_t n0 = 0, n1 = 0;
  while (wl.next(a)) (a.time_ns < kNsPerHour ? n0 : n1)++;
  CHECK(std::abs(static_cast<double>(n0) - 10800) < 420);  // 3/s, sd 104
  CHECK(std::abs(static_cast<double>(n1) - 3600) < 240);   // 1/s, sd 60

  // The linear shape's rate is the same curve, shifted by the offset, to the bit.
  WorkloadSpec lin = synthetic(26 * 3600.0);
  const SyntheticWorkload from_first(lin, kNsPerHour, 7);
  lin.weights_offset_h = 22.5;  // starts half past the 23rd hour, wraps into the next day
  const SyntheticWorkload shifted(lin, kNsPerHour, 7);
  for (double t_s : {0.0, 1234.5, 3600.0, 5400.0, 9000.0})
    CHECK(shifted.rate_at(t_s) == from_first.rate_at(t_s + 22.5 * 3600.0));
  CHECK(shifted.rate_at(3600.0 + 1800.0) == from_first.rate_at(3600.0 + 1800.0 - 1.5 * 3600.0 + 24 * 3600.0));
}

TEST_CASE("the same seed gives the same arrivals; another seed does not") {
  auto draw = [](std::uint64_t seed) {
    SyntheticWorkload wl(synthetic(86400.0), kNsPerHour, seed);
    Arrival a;
    std::vector<std::int64_t> v;
    for (int i = 0; i < 100 && wl.next(a); ++i) v.push_back(a.time_ns ^ a.input_tok);
    return v;
  };
  CHECK(draw(1) == draw(1));
  CHECK(draw(1) != draw(2));
}

TEST_CASE("the Mooncake conversation trace replays in order with its block ids") {
  WorkloadSpec w;
  w.kind = "trace";
  w.trace_path = FLEETSIM_SOURCE_DIR "/tests/data/mooncake_conversation_head.jsonl";
  w.trace_time_scale = 1.0;
  w.trace_repeat = 2;
  TraceWorkload wl(w, kNsPerDay);
  REQUIRE(wl.size() == 500);
  Arrival a;
  std::size_t n = 0;
  TimeNs last = 0;
  while (wl.next(a)) {
    REQUIRE(a.time_ns >= last);
    REQUIRE(a.hash_ids != nullptr);
    last = a.time_ns;
    ++n;
  }
  CHECK(n == 1000);
  // First record of the file: timestamp 0, 6758 input tokens, 500 output, 14 blocks.
  TraceWorkload again(w, kNsPerDay);
  REQUIRE(again.next(a));
  CHECK(a.input_tok == 6758);
  CHECK(a.output_tok == 500);
  CHECK(a.hash_ids->size() == 14);
}

TEST_CASE("the prefix cache hits leading blocks and evicts the least recently used") {
  PrefixCache c(/*capacity_blocks=*/4, /*block_tok=*/512);
  CHECK(c.lookup_and_store({1, 2, 3}, 1500) == 0);
  CHECK(c.lookup_and_store({1, 2, 9}, 1500) == 1024);  // blocks 1, 2 hit; 9 is new
  CHECK(c.stored_blocks() == 4);
  CHECK(c.lookup_and_store({5}, 512) == 0);  // evicts block 3, the least recently used
  CHECK(c.lookup_and_store({1, 2, 3}, 1500) == 1024);  // 3 is gone, so the run stops there
  CHECK(c.lookup_and_store({1}, 512) == 511);  // at least one token is always computed
}
