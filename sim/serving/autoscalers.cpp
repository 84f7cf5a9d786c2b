// The built-in fleet scaling policies: fixed, schedule (data), slo-capacity (model-based).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <string>

#include "sim/engine/portable_math.hpp"
#include "sim/serving/autoscaler.hpp"
#include "sim/spec/clock_steps.hpp"
#include "sim/spec/run_bounds.hpp"

namespace fleetsim {

namespace {

// Nodes a target holds.
int nodes_of(const FleetTarget& t, const FleetObservation& o) {
  return t.prefill_units * o.prefill_nodes_per_unit + t.decode_units * o.decode_nodes_per_unit;
}

}  // namespace

FleetTarget fit_to_pool(FleetTarget want, const FleetObservation& obs) {
  want.prefill_units = std::max(1, want.prefill_units);
  want.decode_units = std::max(1, want.decode_units);
  auto nodes = [&](const FleetTarget& t) { return nodes_of(t, obs); };
  if (nodes(want) <= obs.pool_nodes) return want;
  // Scale both down in proportion, then give leftover nodes back greedily (prefill first: a
  // prefill shortfall turns requests away, a decode shortfall only slows streams down).
  const double f = static_cast<double>(obs.pool_nodes) / nodes(want);
  FleetTarget t{std::max(1, static_cast<int>(want.prefill_units * f)),
                std::max(1, static_cast<int>(want.decode_units * f))};
  while (nodes(t) > obs.pool_nodes && t.prefill_units > 1) --t.prefill_units;
  while (nodes(t) > obs.pool_nodes && t.decode_units > 1) --t.decode_units;
  while (t.prefill_units < want.prefill_units &&
         nodes(t) + obs.prefill_nodes_per_unit <= obs.pool_nodes)
    ++t.prefill_units;
  while (t.decode_units < want.decode_units &&
         nodes(t) + obs.decode_nodes_per_unit <= obs.pool_nodes)
    ++t.decode_units;
  return t;
}

namespace {

class FixedAutoscaler final : public Autoscaler {
 public:
  explicit FixedAutoscaler(const Params& p)
      : target_{static_cast<int>(p.integer("prefill_units")), static_cast<int>(p.integer("decode_units"))} {}
  std::string name() const override { return "fixed"; }
  TimeNs interval_ns() const override { return kNsPerHour; }
  TimeNs warmup_ns() const override { return 0; }
  FleetTarget decide(const FleetObservation& obs) override { return fit_to_pool(target_, obs); }

 private:
  FleetTarget target_;
};

// A schedule given as data: [{"clock_h": 0.0, "prefill_units": 8, "decode_units": 2}, ...];
// the entry with the latest clock_h <= now (wrapping at midnight) applies.
class ScheduleAutoscaler final : public Autoscaler {
 public:
  ScheduleAutoscaler(const Params& p, TimeNs run_ns) {
    const JsonReader r(p.json().at("steps"), p.file(), p.path() + "/steps");
    const std::size_t n = r.array_size();
    if (n == 0) r.fail("a non-empty array of {clock_h, prefill_units, decode_units}");
    for (std::size_t i = 0; i < n; ++i) {
      const JsonReader e = r.at(i);
      e.only_keys({"clock_h", "prefill_units", "decode_units"});
      const double h = e.non_negative("clock_h");
      if (h >= 24) e.at("clock_h").fail("an hour in [0, 24)");
      // Two steps at one hour would leave which applies to the order the sort happens to give.
      for (std::size_t j = 0; j < steps_.size(); ++j)
        if (steps_[j].first == h)
          e.at("clock_h").fail("an hour no other step has (step " + std::to_string(j) + " has it)");
      steps_.push_back({h, FleetTarget{e.positive_int32("prefill_units"),
                                       e.positive_int32("decode_units")}});
    }
    std::sort(steps_.begin(), steps_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    interval_ns_ = seconds_to_ns(p.number("interval_s"));
    check_repeats(p, "interval_s", run_ns);
    warmup_ns_ = seconds_to_ns(p.number("warmup_s"));
  }
  std::string name() const override { return "schedule"; }
  TimeNs interval_ns() const override { return interval_ns_; }
  TimeNs warmup_ns() const override { return warmup_ns_; }
  FleetTarget decide(const FleetObservation& obs) override {
    const std::size_t i = step_in_force(steps_, obs.clock_h, [](const auto& step) { return step.first; });
    return fit_to_pool(steps_[i].second, obs);
  }

 private:
  std::vector<std::pair<double, FleetTarget>> steps_;
  TimeNs interval_ns_ = 0, warmup_ns_ = 0;
};

// Holds enough units for the observed demand at the capacity the cost model predicts, plus a
// headroom: prefill for the computed-token rate (and backlog), decode for the streams that
// Little's law gives at the SLO speed. Reacts to SLO misses by adding a unit.
//
// The headroom is kept where each kind runs out. Prefill has no slack past its token budget (the
// queue and the TTFT grow without bound), so it gets the headroom above the demand. Decode does:
// past the SLO batch a unit keeps taking streams up to its batch cap, slower but with nothing
// waiting. So decode serves the demand at the SLO speed and keeps its headroom (decode_headroom)
// against the cap.
// (Near the SLO, decode throughput is nearly flat in the batch: a throughput margin there would
// buy a far higher speed than the SLO asks for, at a unit's cost.)
//
// Growing is immediate, shrinking is not: a kind is held at the largest target of the decisions
// made over the last scale_down_window_s (Kubernetes' scale-down stabilization window). A unit
// let go and needed again soon costs a warm-up and leaves the kind short meanwhile; demand that
// swings around a unit boundary between intervals would otherwise start and stop a unit every
// few decisions. (The capacity side holds still: it is planned at the mean expert imbalance of
// the placements so far, not at the one in force, which EPLB replaces before a unit is warm.)
//
// A unit started now serves only after its warm-up, so on a rising load the demand is planned
// where it will be: the growth since the last decision is carried forward to the end of the
// next interval after the warm-up. Only growth beyond two standard errors of the two Poisson
// rates counts, so noise at small scales does not buy units.
class SloCapacityAutoscaler final : public Autoscaler {
 public:
  SloCapacityAutoscaler(const Params& p, const ScenarioSpec& s)
      : interval_ns_(seconds_to_ns(p.number("interval_s"))),
        warmup_ns_(seconds_to_ns(p.number("warmup_s"))),
        headroom_(p.number("headroom")),
        decode_headroom_(p.number("decode_headroom")),
        trend_(p.boolean("trend_lookahead")),
        scale_down_window_ns_(seconds_to_ns(p.number("scale_down_window_s"))),
        slo_(s.slo) {
    check_repeats(p, "interval_s", s.duration_ns);
  }
  std::string name() const override { return "slo-capacity"; }
  TimeNs interval_ns() const override { return interval_ns_; }
  TimeNs warmup_ns() const override { return warmup_ns_; }

  FleetTarget decide(const FleetObservation& o) override {
    const double ahead = trend_ ? growth_ahead(o) : 1.0;
    FleetObservation planned = o;
    planned.computed_tok_per_s *= ahead;
    planned.arrivals_per_s *= ahead;
    planned.decode_streams = pmath::llround(static_cast<double>(o.decode_streams) * ahead);
    Needs need;
    const FleetTarget decided = decide_for(planned, need);
    return hold_down(decided, need, o);
  }

 private:
  // Units each kind's arrival rate alone needs, before backlog and SLO feedback (0 when the cost
  // model gave no capacity): with the kind's headroom, and prefill's bare (at its token budget).
  struct Needs {
    double prefill = 0, decode = 0;
    double prefill_bare = 0;
    double decode_bare = 0;  // at the batch cap with no margin: past it, streams wait
    // Whether `t` gives a kind what its arrivals need to be served without waiting: prefill at
    // its token budget (its headroom only keeps the queue short), decode with its headroom
    // (which absorbs the EPLB periods whose placement runs hot).
    bool prefill_served(const FleetTarget& t) const { return t.prefill_units >= std::max(1.0, prefill_bare); }
    bool decode_served(const FleetTarget& t) const { return t.decode_units >= std::max(1.0, decode); }
    // Whether no kind's arrivals wait under `t`, with no margin on either (the short pool's first test).
    bool none_wait(const FleetTarget& t) const {
      return prefill_served(t) && t.decode_units >= std::max(1.0, decode_bare);
    }
  };

  // The factor by which demand will have grown when units started now can serve through the
  // next interval (1 when the load is flat, falling, or its rise is within noise).
  double growth_ahead(const FleetObservation& o) {
    double ahead = 1;
    const double dt_s = ns_to_seconds(o.now_ns - last_now_ns_);
    if (last_arrivals_per_s_ > 0 && o.arrivals_per_s > last_arrivals_per_s_ && dt_s > 0) {
      const double interval_s = ns_to_seconds(interval_ns_);
      const double rise = o.arrivals_per_s - last_arrivals_per_s_;
      const double se = std::sqrt(o.arrivals_per_s / interval_s + last_arrivals_per_s_ / interval_s);
      // The interval's mean rate stands at its middle: from there to the end of the next
      // interval once a unit started now is warm.
      const double lead_s = interval_s / 2 + ns_to_seconds(warmup_ns_) + interval_s;
      if (rise > 2 * se) ahead = 1 + rise / dt_s * lead_s / o.arrivals_per_s;
    }
    last_arrivals_per_s_ = o.arrivals_per_s;
    last_now_ns_ = o.now_ns;
    return ahead;
  }

  // The largest target of each kind over the window (this decision's included), when the pool
  // holds it. When it does not, one kind's hold is kept if the other kind is still served
  // (Needs::prefill_served, decode_served). Of those, the target that moves the fewest nodes from
  // what is held now; failing both, this decision alone splits the pool.
  // Holding a kind whatever the other needs would starve it (seen: prefill held at 29 units kept
  // decode a unit short of its demand at the pool's limit, and streams waited past
  // max_queue_wait). Dropping every hold at the limit lets one decision's low estimate trade a
  // decode unit for prefill's headroom, and the next wants it back after a warm-up (seen at the
  // full pool of the default day, with streams turned away, when capacity was planned at each
  // EPLB period's own imbalance).
  FleetTarget hold_down(const FleetTarget& now, const Needs& need, const FleetObservation& o) {
    if (scale_down_window_ns_ == 0) return now;
    recent_.push_back({o.now_ns, now});
    while (recent_.front().first < o.now_ns - scale_down_window_ns_) recent_.pop_front();
    FleetTarget held = now;
    for (const auto& [at, t] : recent_) {
      held.prefill_units = std::max(held.prefill_units, t.prefill_units);
      held.decode_units = std::max(held.decode_units, t.decode_units);
    }
    if (nodes_of(held, o) <= o.pool_nodes) return held;
    if (need.prefill_bare <= 0 || need.decode <= 0) return now;
    auto moved_nodes = [&](const FleetTarget& t) {
      return std::abs(t.prefill_units - o.prefill_units) * o.prefill_nodes_per_unit +
             std::abs(t.decode_units - o.decode_units) * o.decode_nodes_per_unit;
    };
    // Units of one kind that fit beside `other_nodes` of the other, at most `wanted`.
    auto beside = [&](int wanted, int other_nodes, int nodes_per_unit) {
      return std::min(wanted, (o.pool_nodes - other_nodes) / nodes_per_unit);
    };
    const FleetTarget keep_decode{
        beside(now.prefill_units, held.decode_units * o.decode_nodes_per_unit, o.prefill_nodes_per_unit),
        held.decode_units};
    const FleetTarget keep_prefill{
        held.prefill_units,
        beside(now.decode_units, held.prefill_units * o.prefill_nodes_per_unit, o.decode_nodes_per_unit)};
    FleetTarget best = now;
    if (need.prefill_served(keep_decode) && moved_nodes(keep_decode) < moved_nodes(best)) best = keep_decode;
    if (need.decode_served(keep_prefill) && moved_nodes(keep_prefill) < moved_nodes(best)) best = keep_prefill;
    return best;
  }

  FleetTarget decide_for(const FleetObservation& o, Needs& need) const {
    FleetTarget t{1, 1};
    const double interval_s = ns_to_seconds(interval_ns_);
    if (o.prefill_unit_tok_per_s > 0) {
      need.prefill_bare = o.computed_tok_per_s / o.prefill_unit_tok_per_s;
      need.prefill = need.prefill_bare * (1 + headroom_);
      const double demand = o.computed_tok_per_s + o.prefill_backlog_tok / interval_s;
      t.prefill_units = static_cast<int>(std::ceil(demand * (1 + headroom_) / o.prefill_unit_tok_per_s));
    }
    if (o.decode_unit_tok_per_s_at_slo > 0) {
      // Output tokens the arrivals will ask for, against what a unit delivers at the largest
      // batch that still meets the speed SLO; streams already admitted set a floor.
      const double tok_per_s = o.decode_tok_per_s();
      const double streams = static_cast<double>(o.decode_streams);
      // At the SLO with no margin, and at the cap with decode's headroom (the larger of the two).
      auto units = [&](double demand, double at_slo, double at_cap) {
        const double slo = demand / at_slo;
        const double margin = 1 + decode_headroom_;
        return at_cap > 0 ? std::max(slo, demand * margin / at_cap) : slo * margin;
      };
      need.decode = units(tok_per_s, o.decode_unit_tok_per_s_at_slo, o.decode_unit_tok_per_s_at_cap);
      need.decode_bare = tok_per_s / (o.decode_unit_tok_per_s_at_cap > 0 ? o.decode_unit_tok_per_s_at_cap
                                                                          : o.decode_unit_tok_per_s_at_slo);
      const double by_streams =
          o.decode_unit_streams_at_slo > 0
              ? units(streams, o.decode_unit_streams_at_slo, o.decode_unit_streams_at_cap)
              : 0;
      t.decode_units = static_cast<int>(std::ceil(std::max(need.decode, by_streams)));
    }
    // Feedback on what the users saw: a kind that missed its SLO is not shrunk, and one that
    // missed it by more than the headroom gets a unit more than it holds.
    if (o.ttft_p99_s > slo_.ttft_p99_s) {
      t.prefill_units = std::max(t.prefill_units, o.prefill_units);
      if (o.ttft_p99_s > slo_.ttft_p99_s * (1 + headroom_))
        t.prefill_units = std::max(t.prefill_units, o.prefill_units + 1);
    }
    if (o.stream_tok_per_s_p50 > 0 && o.stream_tok_per_s_p50 < slo_.min_output_tok_per_s) {
      t.decode_units = std::max(t.decode_units, o.decode_units);
      if (o.stream_tok_per_s_p50 < slo_.min_output_tok_per_s * (1 - headroom_))
        t.decode_units = std::max(t.decode_units, o.decode_units + 1);
    }
    if (nodes_of(t, o) <= o.pool_nodes || need.prefill <= 0 || need.decode <= 0) return fit_to_pool(t, o);
    return split_short_pool(need, o);
  }

  // The pool cannot hold what both kinds want. A request needs both, so the rate served is the
  // smaller of the two kinds' shares of their need: split the pool to maximise that share.
  // Backlog and SLO misses are left out here (under a short pool they only move the bottleneck
  // from one kind to the other). Nodes left over go to whichever kind is shorter, without taking
  // any from the other. Every move costs a warm-up and rests on estimates of the needs that move
  // by several percent between decisions, so the split held now is kept unless the best one
  // serves a headroom's worth more, or serves more while every kind it takes units from is still
  // served (the window's test at the pool's limit). Without that second case a pool of ten
  // decode units short of their need never adds an eleventh: 11/10 is exactly the headroom's 1.1.
  // Before any share, a split under which no kind's arrivals wait (Needs::none_wait: prefill at
  // its token budget, decode at its batch cap, neither with a margin) beats one under which some
  // do: with decode_headroom 0 the maximin chose 25 prefill units against a need of 25.6 with
  // headroom (23.3 bare) and 9 decode units against 9.4 (9.3 at the cap), and the leftover went
  // to prefill (29 and 9), where 24 and 10 left nobody waiting; held from 13:45 to 17:55 of the
  // default day, that split turned 432,379 streams away.
  // The shares are of what each kind needs to be served (Needs::prefill_served, decode_served):
  // prefill's at its token budget, decode's with its margin. Prefill's headroom only shortens a
  // queue; decode's margin covers the placements that run hotter than the mean, under which
  // streams wait past the queue limit. Weighed alike, a pool of 296 nodes held 29 prefill and 10
  // decode units at the peak (25 and 10 serve 0.977 of both needs with their margins, 24 and 11
  // only 0.938 of prefill's), and turned as many streams away as the default 278 nodes over six
  // seeds (297,286 against 283,770); with the shares of these needs it holds 24 and 11 and turns
  // away 3,595.
  FleetTarget split_short_pool(const Needs& need, const FleetObservation& o) const {
    auto prefill_share = [&](const FleetTarget& t) { return t.prefill_units / need.prefill_bare; };
    auto decode_share = [&](const FleetTarget& t) { return t.decode_units / need.decode; };
    auto served_share = [&](const FleetTarget& t) { return std::min(prefill_share(t), decode_share(t)); };
    auto fits = [&](const FleetTarget& t) { return nodes_of(t, o) <= o.pool_nodes; };
    auto fill_leftover = [&](FleetTarget t) {
      for (;;) {
        const FleetTarget more_prefill{t.prefill_units + 1, t.decode_units};
        const FleetTarget more_decode{t.prefill_units, t.decode_units + 1};
        const bool prefill_shorter = prefill_share(t) <= decode_share(t);
        const FleetTarget& first = prefill_shorter ? more_prefill : more_decode;
        const FleetTarget& second = prefill_shorter ? more_decode : more_prefill;
        if (fits(first)) {
          t = first;
        } else if (fits(second)) {
          t = second;
        } else {
          return t;
        }
      }
    };
    auto better = [&](const FleetTarget& a, const FleetTarget& b) {
      if (need.none_wait(a) != need.none_wait(b)) return need.none_wait(a);
      return served_share(a) > served_share(b);
    };
    FleetTarget best{1, 1};
    for (int p = 1; fits({p, 1}); ++p) {
      const FleetTarget t{p, (o.pool_nodes - p * o.prefill_nodes_per_unit) / o.decode_nodes_per_unit};
      if (p == 1 || better(t, best)) best = t;
    }
    best = fill_leftover(best);
    const FleetTarget held{o.prefill_units, o.decode_units};
    if (held.prefill_units < 1 || held.decode_units < 1 || !fits(held)) return best;
    if (need.none_wait(best) != need.none_wait(held)) return better(best, held) ? best : fill_leftover(held);
    const double held_share = served_share(held);
    const bool givers_served = (best.prefill_units >= held.prefill_units || need.prefill_served(best)) &&
                               (best.decode_units >= held.decode_units || need.decode_served(best));
    if (served_share(best) > held_share * (givers_served ? 1 : 1 + headroom_)) return best;
    return fill_leftover(held);
  }

  TimeNs interval_ns_, warmup_ns_;
  double headroom_;         // prefill's margin; also how far a missed SLO or a better split must be
  double decode_headroom_;  // decode's margin below its batch cap
  bool trend_;
  TimeNs scale_down_window_ns_;
  SloSpec slo_;
  std::deque<std::pair<TimeNs, FleetTarget>> recent_;  // decisions within the window, oldest first
  double last_arrivals_per_s_ = 0;
  TimeNs last_now_ns_ = 0;
};

AutoscalerRegistry build() {
  AutoscalerRegistry r("autoscaler");
  r.add({"fixed", "a fixed number of prefill and decode units all day",
         {{"prefill_units", "integer", "units", nullptr, "prefill units held"},
          {"decode_units", "integer", "units", nullptr, "decode units held"}},
         [](const Params& p, const ScenarioSpec&) { return std::make_unique<FixedAutoscaler>(p); }});
  r.add({"schedule", "a wall-clock schedule of unit counts given as data",
         {{"steps", "json", "", nullptr, "array of {clock_h, prefill_units, decode_units}, one step per clock hour"},
          {"interval_s", "positive", "s", 300, "how often the schedule is checked"},
          {"warmup_s", "non_negative", "s", 0, "time for a unit to load weights before serving"}},
         [](const Params& p, const ScenarioSpec& s) { return std::make_unique<ScheduleAutoscaler>(p, s.duration_ns); }});
  r.add({"slo-capacity",
         "units for observed demand at the cost model's capacity under the SLOs, plus headroom "
         "(prefill above its demand, decode against its batch cap)",
         {{"interval_s", "positive", "s", 300, "decision interval"},
          {"headroom", "fraction", "", 0.1,
           "prefill's margin above its observed demand; also the tolerance on SLO misses and on "
           "re-splitting a short pool"},
          {"decode_headroom", "fraction", "", 0.1,
           "decode's margin below its batch cap (decode is sized to its demand at the speed SLO with "
           "no margin, and to this one at the cap: the larger)"},
          {"warmup_s", "non_negative", "s", 600, "time for a unit to load weights before serving"},
          {"trend_lookahead", "boolean", "", true,
           "plan a rising load where it will be once a unit started now is warm"},
          {"scale_down_window_s", "non_negative", "s", 0,
           "a kind shrinks only to the largest target decided over this window (0: at once)"}},
         [](const Params& p, const ScenarioSpec& s) {
           return std::make_unique<SloCapacityAutoscaler>(p, s);
         }});
  return r;
}

}  // namespace

const AutoscalerRegistry& autoscalers() {
  static const AutoscalerRegistry r = build();
  return r;
}

}  // namespace fleetsim
