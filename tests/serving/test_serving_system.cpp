// The serving system end to end on small runs: conservation, determinism, admission.
#include <catch2/catch.hpp>

#include "sim/metrics/economics.hpp"
#include "sim/metrics/summary.hpp"
#include "sim/policies/expert_placement.hpp"
#include "sim/policies/load_balancer.hpp"
#include "sim/serving/autoscaler.hpp"
#include "sim/serving/serving_system.hpp"

using namespace fleetsim;

namespace {
const std::string kScenario = FLEETSIM_SOURCE_DIR "/scenarios/deepseek-v3-r1-day.json";

// Half an hour of 2% of the Day-6 load: about 65k requests.
std::vector<std::string> small(std::vector<std::string> extra = {}) {
  std::vector<std::string> o = {"duration_s=1800", "sample_interval_s=300"};
  o.insert(o.end(), extra.begin(), extra.end());
  return o;
}

Json run_summary(const ScenarioSpec& s) {
  ServingSystem sys(s);
  const RunStats st = sys.run();
  Json j = make_summary(s, sys.metrics(), compute_economics(sys.metrics().hours(), s),
                        SimStats{st.events, 0, 0, st.in_flight_at_end, ns_to_seconds(st.end_ns)});
  j.erase("sim");  // wall time and memory are the machine's, not the simulation's
  return j;
}
}  // namespace

TEST_CASE("every request that arrives in the window ends completed or rejected, the last after the window") {
  const ScenarioSpec s = load_scenario(kScenario, small(), 0.02);
  ServingSystem sys(s);
  const RunStats st = sys.run();  // run() itself throws if conservation breaks
  const Metrics& m = sys.metrics();
  REQUIRE(m.arrived() > 50000);
  CHECK(m.arrived() == m.completed() + m.rejected());
  CHECK(m.completed() > m.arrived() / 2);
  CHECK(st.in_flight_at_end > 0);  // a half-hour cut leaves streams running...
  CHECK(st.end_ns > s.duration_ns);  // ...which finish after it
  // The window's figures stop at its end: its node-time is the window's, not the run's.
  CHECK(m.node_s() <= m.peak_nodes() * ns_to_seconds(s.duration_ns) + 1e-6);
}

TEST_CASE("the window's figures do not move with what runs on after it") {
  // The same seed with a half-hour and an hour-long window: the half hour's timeline (tokens,
  // arrivals, nodes every 5 minutes) is the first half of the hour's, whatever ran on after it.
  // EPLB every minute, so that it also runs while the half hour's last requests finish.
  const ScenarioSpec a = load_scenario(kScenario, small({"policies.eplb_period_s=60"}), 0.02);
  const ScenarioSpec b = load_scenario(kScenario, small({"policies.eplb_period_s=60", "duration_s=3600"}), 0.02);
  ServingSystem sa(a), sb(b);
  sa.run();
  sb.run();
  const auto& ta = sa.metrics().timeline();
  const auto& tb = sb.metrics().timeline();
  REQUIRE(ta.size() == 6);
  REQUIRE(tb.size() == 12);
  for (std::size_t i = 0; i < ta.size(); ++i) {
    INFO(i);
    CHECK(ta[i].arrivals_per_s == tb[i].arrivals_per_s);
    CHECK(ta[i].input_tok_per_s == tb[i].input_tok_per_s);
    CHECK(ta[i].output_tok_per_s == tb[i].output_tok_per_s);
    CHECK(ta[i].nodes_prefill + ta[i].nodes_decode == tb[i].nodes_prefill + tb[i].nodes_decode);
  }
  CHECK(sa.metrics().output_tok() < sb.metrics().output_tok());
  // EPLB runs on past the window too; the window's statistics are its updates up to the end
  // (at the start and then every minute: 0, 60, ..., 1800 s in the half hour).
  CHECK(sa.decode_expert_stats().updates == 31);
  CHECK(sb.decode_expert_stats().updates == 61);
}

TEST_CASE("the same scenario and seed give an identical summary; another seed does not") {
  const ScenarioSpec a = load_scenario(kScenario, small(), 0.02);
  const Json first = run_summary(a);
  const Json second = run_summary(a);
  CHECK(first.dump() == second.dump());
  const ScenarioSpec b = load_scenario(kScenario, small({"seed=7"}), 0.02);
  CHECK(run_summary(b).dump() != first.dump());
}

TEST_CASE("requests whose KV cannot fit on a decode GPU are rejected with their reason") {
  // A decode GPU short of memory: 90% of HBM reserved leaves room for few tokens.
  const ScenarioSpec s = load_scenario(kScenario, small({"deployment.kv_reserve_fraction=0.7"}), 0.02);
  ServingSystem sys(s);
  sys.run();
  const Metrics& m = sys.metrics();
  CHECK(m.rejected(RejectReason::kTooLong) > 0);
  CHECK(m.arrived() == m.completed() + m.rejected());
}

TEST_CASE("an unknown policy name is a ConfigError naming the scenario path") {
  const ScenarioSpec s = load_scenario(kScenario, small({"policies.decode_lb=\"fastest\""}), 0.02);
  try {
    ServingSystem sys(s);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("/policies/decode_lb"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("fastest"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("expected one of"));
  }
}

TEST_CASE("an overloaded prefill unit chunks long prompts, turns away stale requests, loses none") {
  // Twice what one prefill unit computes (600M/day x 0.02 = 139 requests/s): queues grow, prompts are split across steps by the
  // per-rank work budget, and requests not started within max_queue_wait_s are rejected.
  const ScenarioSpec s = load_scenario(
      kScenario,
      small({"workload.requests_per_day=600e6", "slo.max_queue_wait_s=60",
             "policies.autoscaler={\"name\":\"fixed\",\"params\":{\"prefill_units\":1,\"decode_units\":1}}"}),
      0.02);
  ServingSystem sys(s);
  sys.run();
  const Metrics& m = sys.metrics();
  CHECK(m.rejected(RejectReason::kPrefillQueueWait) > 0);
  CHECK(m.completed() > 0);
  CHECK(m.arrived() == m.completed() + m.rejected());
  // The timeline says when: its intervals' rejections and those after the window add up to the total.
  std::uint64_t timeline_rejected = 0;
  for (const auto& row : m.timeline()) timeline_rejected += row.rejected;
  CHECK(timeline_rejected > 0);
  CHECK(timeline_rejected + m.rejected_after_close() == m.rejected());
  // Nobody waits much longer than the limit before starting: TTFT stays within the wait limit
  // plus a few steps.
  CHECK(m.ttft_s().quantile(0.99) < 60 + 30);
}

TEST_CASE("a KV-store read that would outlast the queue limit turns its request away at arrival") {
  // A store read at 1/4000 of 3FS's: a unit's four nodes read 42.9 MB/s, so the mean 2,227-token
  // cached prefix (156 MB) takes 3.6 s: the pipe keeps up with a fraction of the 2 requests/s,
  // most of which have a cached prefix (55% are turned away).
  ScenarioSpec s = load_scenario(
      kScenario,
      small({"slo.max_queue_wait_s=60",
             "policies.autoscaler={\"name\":\"fixed\",\"params\":{\"prefill_units\":1,\"decode_units\":1}}"}),
      0.001);
  s.hardware.kv_storage_read_bytes_per_s_per_node /= 4000;
  ServingSystem sys(s);
  sys.run();
  const Metrics& m = sys.metrics();
  CHECK(m.rejected(RejectReason::kKvStorageBacklog) > m.arrived() / 4);
  CHECK(m.completed() > 0);
  CHECK(m.arrived() == m.completed() + m.rejected());
  // Those let in start within the limit: the pipe's backlog stays under it.
  CHECK(m.ttft_s().quantile(0.99) < 60 + 30);
}

namespace {
// Fifteen minutes of 1% of the Day-6 load on a pool of 48 nodes (room for three prefill and two
// decode units) with one policy swapped: enough steps for every mechanism (batching, balancing,
// EPLB, scaling) to act.
void check_conservation_with(const std::string& override_json) {
  INFO(override_json);
  const ScenarioSpec s = load_scenario(
      kScenario, {"duration_s=900", "sample_interval_s=300", "policies.eplb_period_s=300",
                  "workload.requests_per_day=1.555e6", "cluster.nodes=48", override_json});
  ServingSystem sys(s);
  sys.run();  // throws if conservation breaks
  const Metrics& m = sys.metrics();
  REQUIRE(m.arrived() > 10000);
  CHECK(m.arrived() == m.completed() + m.rejected());
  std::uint64_t by_reason = 0;
  for (int r = 0; r < static_cast<int>(RejectReason::kCount); ++r) by_reason += m.rejected(static_cast<RejectReason>(r));
  CHECK(by_reason == m.rejected());
  CHECK(m.completed() > m.arrived() / 2);
}
}  // namespace

TEST_CASE("no request is lost under any registered prefill or decode balancer") {
  for (const auto& [name, entry] : prefill_balancers().entries())
    check_conservation_with("policies.prefill_lb=\"" + name + "\"");
  for (const auto& [name, entry] : decode_balancers().entries())
    check_conservation_with("policies.decode_lb=\"" + name + "\"");
}

TEST_CASE("no request is lost under any registered expert placement") {
  for (const auto& [name, entry] : expert_placers().entries()) {
    if (name == "hierarchical") continue;  // needs groups % nodes == 0: not EP144 decode (below)
    check_conservation_with("policies.eplb=\"" + name + "\"");
  }
}

TEST_CASE("a placement policy that cannot place a unit's shape is a ConfigError at load") {
  // Hierarchical EPLB packs whole expert groups per node: 8 groups cannot fill 18 decode nodes.
  const ScenarioSpec s = load_scenario(kScenario, small({"policies.eplb=\"hierarchical\""}), 0.02);
  try {
    ServingSystem sys(s);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("/policies/eplb"));
    CHECK_THAT(std::string(e.what()), Catch::Contains("18 nodes"));
  }
}

TEST_CASE("no request is lost under any registered autoscaler") {
  for (const auto& [name, entry] : autoscalers().entries()) {
    if (name == "fixed") {
      check_conservation_with(
          R"(policies.autoscaler={"name":"fixed","params":{"prefill_units":2,"decode_units":1}})");
    } else if (name == "schedule") {
      // Shrinks the fleet mid-run: drained units must hand their requests over or finish them.
      check_conservation_with(
          R"(policies.autoscaler={"name":"schedule","params":{"interval_s":120,"steps":[)"
          R"({"clock_h":0,"prefill_units":3,"decode_units":2},{"clock_h":12.1,"prefill_units":1,"decode_units":1}]}})");
    } else {
      check_conservation_with(R"(policies.autoscaler={"name":")" + name + R"("})");
    }
  }
}

TEST_CASE("decode admission never reserves more KV on a GPU than it holds") {
  // Decode GPUs with little room (66% of HBM reserved: ~80k tokens each) fed by three prefill
  // units: requests wait for KV, some time out with their reason, and no GPU is over-committed.
  const ScenarioSpec s = load_scenario(
      kScenario,
      small({"deployment.kv_reserve_fraction=0.66", "workload.requests_per_day=4e6", "cluster.nodes=30",
             "policies.autoscaler={\"name\":\"fixed\",\"params\":{\"prefill_units\":3,\"decode_units\":1}}"}));
  ServingSystem sys(s);
  sys.run();
  const Metrics& m = sys.metrics();
  const double cap = sys.decode_kv_capacity_tok_per_gpu();
  REQUIRE(cap > 0);
  CHECK(sys.decode_peak_reserved_tok_per_gpu() <= static_cast<std::int64_t>(cap));
  CHECK(sys.decode_peak_reserved_tok_per_gpu() > static_cast<std::int64_t>(0.8 * cap));  // it filled up
  CHECK(m.rejected(RejectReason::kDecodeCapacity) > 0);
  CHECK(m.arrived() == m.completed() + m.rejected());
}

TEST_CASE("a fleet shrinking while a unit warms up stops the warm-up, not a serving unit") {
  // Two decode units serve; a third starts warming at 0.1 h (ready at 0.1 h + 10 min), and at
  // 0.2 h the schedule goes back to two. Draining a serving unit then would leave one unit
  // serving until the warm-up ends; stopping the warm-up keeps both.
  const ScenarioSpec s = load_scenario(
      kScenario,
      small({"start_clock_h=0", "cluster.nodes=100", "workload.requests_per_day=4e6",
             R"(policies.autoscaler={"name":"schedule","params":{"interval_s":60,"warmup_s":600,"steps":[)"
             R"({"clock_h":0,"prefill_units":2,"decode_units":2},{"clock_h":0.1,"prefill_units":2,"decode_units":3},)"
             R"({"clock_h":0.2,"prefill_units":2,"decode_units":2}]}})"}));
  const Json j = run_summary(s);
  const Json& decode = j["fleet"]["node_hours_by_state"]["decode"];
  const double hours = 1800.0 / 3600;
  CHECK(decode["active"].get<double>() == Approx(2 * 18 * hours));
  CHECK(decode["warming"].get<double>() == Approx(18 * 0.1));  // from 0.1 h to 0.2 h
  CHECK(decode["draining"].get<double>() == 0);
}

TEST_CASE("every autoscaler decision in the window is recorded with what it saw and asked for") {
  // A schedule that grows at 0.1 h and shrinks at 0.2 h, decided every 5 minutes over half an
  // hour: seven decisions (0 to 1800 s), the first before any unit is held.
  const ScenarioSpec s = load_scenario(
      kScenario,
      small({"start_clock_h=0", "cluster.nodes=100", "workload.requests_per_day=4e6",
             R"(policies.autoscaler={"name":"schedule","params":{"interval_s":300,"warmup_s":0,"steps":[)"
             R"({"clock_h":0,"prefill_units":2,"decode_units":1},{"clock_h":0.1,"prefill_units":3,"decode_units":2},)"
             R"({"clock_h":0.2,"prefill_units":1,"decode_units":1}]}})"}));
  ServingSystem sys(s);
  sys.run();
  const auto& d = sys.metrics().decisions();
  REQUIRE(d.size() == 7);
  for (std::size_t i = 0; i < d.size(); ++i) {
    INFO("decision " << i);
    CHECK(d[i].t_h == Approx(300.0 * static_cast<double>(i) / 3600));
    // The schedule's step in force at the decision's clock hour.
    const double h = d[i].t_h;
    CHECK(d[i].prefill_units_target == (h < 0.1 ? 2 : h < 0.2 ? 3 : 1));
    CHECK(d[i].decode_units_target == (h < 0.1 ? 1 : h < 0.2 ? 2 : 1));
    // Held at a decision: what the one before asked for (no warm-up; a shrink drains, so a
    // shrunk kind may still hold its draining units).
    if (i == 0) {
      CHECK(d[i].prefill_units_held == 0);
      CHECK(d[i].decode_units_held == 0);
    } else {
      CHECK(d[i].prefill_units_held >= d[i - 1].prefill_units_target);
      CHECK(d[i].decode_units_held >= d[i - 1].decode_units_target);
    }
    CHECK(d[i].prefill_unit_tok_per_s > 0);
    CHECK(d[i].decode_unit_tok_per_s_at_slo > 0);
    CHECK(d[i].decode_unit_tok_per_s_at_cap >= d[i].decode_unit_tok_per_s_at_slo);
    CHECK(d[i].decode_planning_imbalance > 1);
    if (i > 0) {
      CHECK(d[i].arrivals_per_s > 0);
      CHECK(d[i].output_tok_per_s > d[i].arrivals_per_s);  // outputs are long
    }
  }
  // Growth takes effect at once without a warm-up: the decision after the growth (0.25 h) holds it.
  CHECK(d[3].prefill_units_held == 3);
  CHECK(d[3].decode_units_held == 2);
}
