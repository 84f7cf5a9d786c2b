// Load balancers: registries, the published objectives beating round-robin on hand-made cases,
// capacity and accepting flags honoured, and the O(log n) tree agreeing with brute force.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <vector>

#include "sim/policies/load_balancer.hpp"
#include "sim/policies/min_score_tree.hpp"
#include "sim/policies/scored_balancer.hpp"

using namespace fleetsim;

namespace {

std::unique_ptr<LoadBalancer> make(const LoadBalancerRegistry& reg, const std::string& name, std::uint64_t seed = 1) {
  const Json spec = name;
  return reg.create(JsonReader(spec, "scenario.json", "/policies/lb"), Rng(seed, "test.lb"));
}

// What the serving layer does after a pick: add the request to the target's load, notify.
void assign(LoadBalancer& lb, std::vector<RankLoad>& loads, std::size_t i, const LbRequest& r, bool decode) {
  RankLoad& l = loads[i];
  ++l.requests;
  l.tokens += decode ? r.input_tokens + r.expected_output_tokens : r.computed_tokens;
  l.attention += r.attention;
  lb.on_update(i);
}

LbRequest prefill_req(std::int64_t tok) {
  return LbRequest{tok, tok, 0, 0, static_cast<double>(tok) * static_cast<double>(tok) / 2};
}
LbRequest decode_req(std::int64_t in, std::int64_t out) {
  return LbRequest{in, in, 0, out, static_cast<double>(in)};
}

}  // namespace

TEST_CASE("balancer registries hold the expected names") {
  for (const char* n : {"attention-balanced", "round-robin", "random", "least-loaded"}) {
    CHECK(prefill_balancers().contains(n));
  }
  for (const char* n : {"kv-balanced", "round-robin", "random", "least-loaded"}) {
    CHECK(decode_balancers().contains(n));
  }
  for (const auto& [name, e] : prefill_balancers().entries()) CHECK(make(prefill_balancers(), name)->name() == name);
  for (const auto& [name, e] : decode_balancers().entries()) CHECK(make(decode_balancers(), name)->name() == name);
}

TEST_CASE("unknown balancer or parameter is a ConfigError naming file and JSON path") {
  const Json bad = "fastest";
  try {
    prefill_balancers().create(JsonReader(bad, "scen.json", "/policies/prefill_lb"), Rng(1));
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.file() == "scen.json");
    CHECK(e.json_path() == "/policies/prefill_lb");
    CHECK(std::string(e.what()).find("attention-balanced") != std::string::npos);
  }
  const Json neg = Json::parse(R"({"name": "kv-balanced", "params": {"kv_weight": -1}})");
  try {
    decode_balancers().create(JsonReader(neg, "scen.json", "/policies/decode_lb"), Rng(1));
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.json_path() == "/policies/decode_lb/params/kv_weight");
  }
  const Json typo = Json::parse(R"({"name": "attention-balanced", "params": {"atention_weight": 2}})");
  CHECK_THROWS_AS(prefill_balancers().create(JsonReader(typo, "scen.json", "/p"), Rng(1)), ConfigError);
}

TEST_CASE("attention-balanced beats round-robin on a long prompt followed by short ones") {
  // Two prefill ranks; prompts of 4000, 1000, 1000, 1000 tokens (attention L^2/2 pairs:
  // 8e6 and 5e5). Round-robin: rank 0 gets 4000 + 1000 -> 8.5e6 pairs, 5000 tokens; rank 1 gets
  // 2 x 1000 -> 1e6 pairs, 2000 tokens. Attention-balanced: the long prompt goes to rank 0 (tie,
  // lowest index) and every short one to rank 1 (its normalised score stays lower: e.g. after two
  // shorts, means 4.5e6 pairs / 3000 tok give 8e6/4.5e6 + 4000/3000 = 3.1 vs 1e6/4.5e6 +
  // 2000/3000 = 0.9), so rank 0 holds 8e6 pairs / 4000 tok and rank 1 1.5e6 / 3000: both maxima lower.
  const std::vector<std::int64_t> prompts = {4000, 1000, 1000, 1000};
  auto run = [&](const std::string& name) {
    std::vector<RankLoad> loads(2);
    auto lb = make(prefill_balancers(), name);
    lb->attach(loads);
    for (auto t : prompts) {
      const auto r = prefill_req(t);
      assign(*lb, loads, lb->pick(r), r, false);
    }
    return loads;
  };
  const auto rr = run("round-robin");
  const auto ab = run("attention-balanced");
  auto max_att = [](const std::vector<RankLoad>& l) { return std::max(l[0].attention, l[1].attention); };
  auto max_tok = [](const std::vector<RankLoad>& l) { return std::max(l[0].tokens, l[1].tokens); };
  CHECK(max_att(rr) == Approx(8.5e6));
  CHECK(max_tok(rr) == 5000);
  CHECK(max_att(ab) == Approx(8e6));
  CHECK(max_tok(ab) == 4000);
  CHECK(ab[1].requests == 3);
}

TEST_CASE("kv-balanced beats round-robin on KV usage and respects capacity") {
  // Two decode ranks of 10000 KV tokens. Requests (input + expected output): 6000+1000, then
  // three of 1000+500. Round-robin: rank 0 = 7000 + 1500 = 8500, rank 1 = 3000. kv-balanced:
  // rank 0 = 7000 (first, lowest index), then the short ones: for the third, means 0.5 usage /
  // 1.5 requests give rank 0: 0.7/0.5 + 1/1.5 = 2.07, rank 1: 0.3/0.5 + 2/1.5 = 1.93 -> rank 1;
  // max usage 7000 < 8500.
  auto run = [&](const std::string& name) {
    std::vector<RankLoad> loads(2);
    for (auto& l : loads) l.capacity_tokens = 10000;
    auto lb = make(decode_balancers(), name);
    lb->attach(loads);
    std::vector<LbRequest> reqs = {decode_req(6000, 1000), decode_req(1000, 500), decode_req(1000, 500),
                                   decode_req(1000, 500)};
    for (const auto& r : reqs) assign(*lb, loads, lb->pick(r), r, true);
    return std::max(loads[0].tokens, loads[1].tokens);
  };
  CHECK(run("round-robin") == 8500);
  CHECK(run("kv-balanced") == 7000);

  // Capacity: rank 0 scores lower (0.9/0.55 + 1/5.5 = 1.82 vs 0.2/0.55 + 10/5.5 = 2.18) but has
  // only 1000 tokens free.
  std::vector<RankLoad> loads(2);
  loads[0] = RankLoad{1, 9000, 9000, 10000, true};
  loads[1] = RankLoad{10, 2000, 2000, 10000, true};
  for (const auto& [name, e] : decode_balancers().entries()) {
    auto lb = make(decode_balancers(), name);
    lb->attach(loads);
    CHECK(lb->pick(decode_req(1200, 300)) == 1);  // 1500 > 1000 free on rank 0
    if (name == "kv-balanced") CHECK(lb->pick(decode_req(800, 200)) == 0);  // exactly fits
    CHECK(lb->pick(decode_req(9000, 1000)) == LoadBalancer::kNoTarget);
  }
}

TEST_CASE("every balancer skips targets that are not accepting") {
  for (const auto* reg : {&prefill_balancers(), &decode_balancers()}) {
    for (const auto& [name, e] : reg->entries()) {
      INFO(name);
      std::vector<RankLoad> loads(4);
      loads[0].accepting = false;
      loads[2].accepting = false;
      auto lb = make(*reg, name);
      lb->attach(loads);
      for (int k = 0; k < 40; ++k) {
        const auto r = decode_req(100 + k, 10);
        const std::size_t i = lb->pick(r);
        REQUIRE((i == 1 || i == 3));
        assign(*lb, loads, i, r, true);
      }
      CHECK(loads[1].requests + loads[3].requests == 40);
      for (auto& l : loads) l.accepting = false;
      for (std::size_t i = 0; i < loads.size(); ++i) lb->on_update(i);
      CHECK(lb->pick(decode_req(1, 1)) == LoadBalancer::kNoTarget);
    }
  }
}

TEST_CASE("least-loaded and round-robin pick as specified") {
  std::vector<RankLoad> loads(3);
  loads[0].requests = 2;
  loads[1].requests = 1;
  loads[2].requests = 1;
  auto ll = make(decode_balancers(), "least-loaded");
  ll->attach(loads);
  CHECK(ll->pick(decode_req(1, 1)) == 1);  // tie between 1 and 2: lowest index
  auto rr = make(decode_balancers(), "round-robin");
  rr->attach(loads);
  CHECK(rr->pick(decode_req(1, 1)) == 0);
  CHECK(rr->pick(decode_req(1, 1)) == 1);
  CHECK(rr->pick(decode_req(1, 1)) == 2);
  CHECK(rr->pick(decode_req(1, 1)) == 0);
}

TEST_CASE("random is uniform over the targets that can take the request") {
  std::vector<RankLoad> loads(6);
  for (auto& l : loads) l.capacity_tokens = 1000;
  loads[1].accepting = false;
  loads[4].tokens = 990;  // no room for 20 tokens
  auto lb = make(decode_balancers(), "random", 7);
  lb->attach(loads);
  std::vector<int> hits(6, 0);
  const int n = 40000;
  for (int k = 0; k < n; ++k) ++hits[lb->pick(decode_req(10, 10))];
  CHECK(hits[1] == 0);
  CHECK(hits[4] == 0);
  // 4 eligible: expect 10000 each, sd ~87; allow 5 sd.
  for (int i : {0, 2, 3, 5}) CHECK(std::abs(hits[i] - n / 4) < 450);
}

TEST_CASE("MinScoreTree finds the lowest (score, index) with room, as a scan does") {
  Rng rng(11);
  for (std::size_t n : {1u, 2u, 4u, 5u, 7u, 16u, 17u, 64u, 100u, 144u, 256u, 257u, 300u, 4097u}) {
    MinScoreTree tree;
    tree.resize(n);
    std::vector<double> score(n, 0.0);
    std::vector<std::int64_t> room(n, MinScoreTree::kClosed);
    for (int step = 0; step < 3000; ++step) {
      const auto i = static_cast<std::size_t>(rng.below(n));
      score[i] = static_cast<double>(rng.below(8));  // many ties
      const auto kind = rng.below(4);
      room[i] = kind == 0 ? MinScoreTree::kClosed
                          : kind == 1 ? MinScoreTree::kUnlimited : static_cast<std::int64_t>(rng.below(100));
      tree.set(i, score[i], room[i]);
      const auto need = static_cast<std::int64_t>(rng.below(100));
      std::size_t want = MinScoreTree::kNone;
      for (std::size_t j = 0; j < n; ++j) {
        if (room[j] >= need && (want == MinScoreTree::kNone || score[j] < score[want])) want = j;
      }
      REQUIRE(tree.find(need) == want);
      if (step % 100 == 0) {  // the batch path (leaf writes, then one rebuild) agrees too
        MinScoreTree batch;
        batch.resize(n);
        for (std::size_t j = 0; j < n; ++j) batch.set_leaf(j, score[j], room[j]);
        batch.rebuild();
        REQUIRE(batch.find(need) == want);
      }
    }
  }
}

TEST_CASE("scored balancers agree with a brute-force scan over random load sequences") {
  struct Case {
    const LoadBalancerRegistry* reg;
    std::string name;
  };
  for (const Case& c : {Case{&prefill_balancers(), "attention-balanced"}, Case{&decode_balancers(), "kv-balanced"},
                        Case{&decode_balancers(), "least-loaded"}}) {
    for (std::size_t n : {1u, 5u, 33u}) {
      INFO(c.name << " n=" << n);
      Rng rng(n, c.name);
      std::vector<RankLoad> loads(n);
      for (auto& l : loads) l.capacity_tokens = c.name == "attention-balanced" ? 0 : 50000;
      auto lb = make(*c.reg, c.name);
      auto* sb = dynamic_cast<ScoredBalancer*>(lb.get());
      REQUIRE(sb != nullptr);
      lb->attach(loads);
      for (int step = 0; step < 2000; ++step) {
        const auto i = static_cast<std::size_t>(rng.below(n));
        RankLoad& l = loads[i];
        switch (rng.below(4)) {
          case 0:
            l.accepting = !l.accepting;
            break;
          case 1:  // a completion
            if (l.requests > 0) {
              --l.requests;
              l.tokens = l.tokens / 2;
              l.attention = l.attention / 2;
            }
            break;
          default: {
            ++l.requests;
            const auto t = static_cast<std::int64_t>(rng.below(8000));
            l.tokens += t;
            l.attention += static_cast<double>(t * t) / 2;
          }
        }
        lb->on_update(i);
        // The score each target holds is the declared formula at the current references.
        for (std::size_t j = 0; j < n; ++j) {
          const RankLoad& x = loads[j];
          double want = 0;
          if (c.name == "attention-balanced") {
            want = x.attention / sb->reference(0) + static_cast<double>(x.tokens) / sb->reference(1);
          } else if (c.name == "kv-balanced") {
            want = static_cast<double>(x.tokens) / static_cast<double>(x.capacity_tokens) / sb->reference(0) +
                   static_cast<double>(x.requests) / sb->reference(1);
          } else {
            want = static_cast<double>(x.requests);
          }
          REQUIRE(sb->score(j) == Approx(want).epsilon(1e-12));
        }
        const auto r = decode_req(static_cast<std::int64_t>(rng.below(6000)), static_cast<std::int64_t>(rng.below(2000)));
        const std::int64_t need = r.input_tokens + r.expected_output_tokens;
        std::size_t want = LoadBalancer::kNoTarget;
        for (std::size_t j = 0; j < n; ++j) {
          if (!can_take(loads[j], need)) continue;
          if (want == LoadBalancer::kNoTarget || sb->score(j) < sb->score(want)) want = j;
        }
        REQUIRE(lb->pick(r) == want);
      }
    }
  }
}

TEST_CASE("updates batched between begin_updates and end_updates leave the picks of one-at-a-time updates") {
  // Two copies of each balancer see the same loads: one updated one target at a time, the other
  // in runs of updates (re-normalisations fall inside runs too) closed by end_updates. Every pick
  // after a run must be the same, for requests of every size (some without room anywhere).
  struct Case {
    const LoadBalancerRegistry* reg;
    std::string name;
  };
  for (const Case& c : {Case{&prefill_balancers(), "attention-balanced"}, Case{&decode_balancers(), "kv-balanced"},
                        Case{&decode_balancers(), "least-loaded"}, Case{&decode_balancers(), "round-robin"}}) {
    for (std::size_t n : {1u, 7u, 32u, 144u}) {
      INFO(c.name << " n=" << n);
      Rng rng(n + 7, c.name);
      std::vector<RankLoad> loads(n);
      for (auto& l : loads) l.capacity_tokens = c.name == "attention-balanced" ? 0 : 60000;
      auto single = make(*c.reg, c.name);
      auto batched = make(*c.reg, c.name);
      single->attach(loads);
      batched->attach(loads);
      for (int run = 0; run < 300; ++run) {
        const auto updates = 1 + rng.below(3 * n);
        const auto update = [&] {
          const auto i = static_cast<std::size_t>(rng.below(n));
          RankLoad& l = loads[i];
          if (rng.below(3) == 0 && l.requests > 0) {
            --l.requests;
            l.tokens = l.tokens * 2 / 3;
            l.attention = l.attention * 2 / 3;
          } else {
            ++l.requests;
            const auto t = static_cast<std::int64_t>(rng.below(4000));
            l.tokens += t;
            l.attention += static_cast<double>(t * t) / 2;
          }
          if (rng.below(50) == 0) l.accepting = !l.accepting;
          single->on_update(i);
          batched->on_update(i);
        };
        if (run % 2 == 0) {
          const UpdateRun scope(*batched);  // ends the run however the scope ends
          for (std::uint64_t k = 0; k < updates; ++k) update();
        } else {
          batched->begin_updates();
          for (std::uint64_t k = 0; k < updates; ++k) update();
          batched->end_updates();
        }
        for (std::int64_t need : {0, 500, 20000, 70000}) {
          const auto r = decode_req(need, 0);
          REQUIRE(batched->pick(r) == single->pick(r));
        }
      }
    }
  }
}
