// Expert router: the group limit, conservation of token copies, the replica rule, and the fast
// sampler's agreement with the exact per-token sampler on mean and max-load statistics, and the
// load history a run starts with.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "sim/policies/expert_router.hpp"
#include "sim/spec/model_spec.hpp"

using namespace fleetsim;

namespace {

const MoeSpec& v3_moe() {
  static const ModelSpec m = load_model_spec(FLEETSIM_SOURCE_DIR "/models/deepseek-v3.json");
  return m.moe;
}

std::unique_ptr<ExpertRouter> make(const std::string& params_json, std::uint64_t seed = 5) {
  const Json spec = Json::parse(R"({"name": "group-limited", "params": )" + params_json + "}");
  return expert_routers().create(JsonReader(spec, "scenario.json", "/policies/expert_router"), v3_moe(),
                                 Rng(seed, "routing"));
}

std::int64_t sum(const std::vector<std::int64_t>& v) { return std::accumulate(v.begin(), v.end(), std::int64_t{0}); }

}  // namespace

TEST_CASE("router registry and parameter errors") {
  CHECK(expert_routers().contains("group-limited"));
  const auto r = make("{}");
  CHECK(r->config().num_experts == 256);
  CHECK(r->config().num_groups == 8);
  CHECK(r->config().groups_selected == 4);
  CHECK(r->config().top_k == 8);
  try {
    make(R"({"popularity": "pareto"})");
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.file() == "scenario.json");
    CHECK(e.json_path() == "/policies/expert_router/params");
  }
  CHECK_THROWS_AS(make(R"({"pool_tokenz": 5})"), ConfigError);
}

TEST_CASE("each token picks top_k distinct experts within at most groups_selected groups") {
  auto r = make(R"({"sigma": 1.5})");
  std::vector<int> experts(8);
  for (int t = 0; t < 3000; ++t) {
    r->sample_token(0, experts);
    std::set<int> distinct(experts.begin(), experts.end()), groups;
    for (int e : experts) groups.insert(e / 32);
    REQUIRE(distinct.size() == 8);
    REQUIRE(groups.size() <= 4);
  }
  const auto q = r->inclusion_probability(0);
  CHECK(std::accumulate(q.begin(), q.end(), 0.0) == Approx(8.0));
}

namespace {

// The definition the sampler must follow: every expert draws Exp(1) / p_e, groups rank by their
// best key, the top_k best keys of the selected groups win, in key order. The router draws only
// the keys it needs, in race order; the distribution of (expert, rank) must not change. Each
// (expert, rank) frequency over `tokens` tokens agrees within 5 standard errors of the difference,
// and so does the share of tokens whose experts come from 1, 2, ... groups.
void check_against_full_race(ExpertRouter& r, int tokens) {
  const std::vector<double> p(r.popularity(0).begin(), r.popularity(0).end());
  const auto& c = r.config();
  const int E = c.num_experts, G = c.num_groups, group_size = E / G, top = c.top_k, sel = c.groups_selected;
  std::vector<double> fast(static_cast<std::size_t>(E * top), 0), race(fast.size(), 0);  // [expert * top_k + rank]
  // And how many groups a token's experts come from: sensitive to how the groups' keys interleave.
  std::vector<double> fast_groups(static_cast<std::size_t>(sel + 1), 0), race_groups(fast_groups.size(), 0);
  auto groups_used = [&](auto first, auto last) {
    std::set<int> g;
    for (auto it = first; it != last; ++it) g.insert(*it / group_size);
    return g.size();
  };
  std::vector<int> experts(static_cast<std::size_t>(top));
  for (int t = 0; t < tokens; ++t) {
    r.sample_token(0, experts);
    for (int k = 0; k < top; ++k) fast[static_cast<std::size_t>(experts[k] * top + k)] += 1;
    fast_groups[groups_used(experts.begin(), experts.end())] += 1;
  }
  Rng rng(99, "race");
  std::vector<double> key(static_cast<std::size_t>(E));
  std::vector<int> groups(static_cast<std::size_t>(G)), cand;
  for (int t = 0; t < tokens; ++t) {
    for (int e = 0; e < E; ++e) key[e] = -std::log(rng.uniform_pos()) / p[e];
    auto best = [&](int g) { return *std::min_element(key.begin() + g * group_size, key.begin() + (g + 1) * group_size); };
    std::iota(groups.begin(), groups.end(), 0);
    std::sort(groups.begin(), groups.end(), [&](int a, int b) { return best(a) < best(b); });
    cand.clear();
    for (int k = 0; k < sel; ++k)
      for (int e = groups[k] * group_size; e < (groups[k] + 1) * group_size; ++e) cand.push_back(e);
    std::sort(cand.begin(), cand.end(), [&](int a, int b) { return key[a] < key[b]; });
    for (int k = 0; k < top; ++k) race[static_cast<std::size_t>(cand[k] * top + k)] += 1;
    race_groups[groups_used(cand.begin(), cand.begin() + top)] += 1;
  }
  auto agree = [&](double nf, double nr) {
    const double pf = nf / tokens, pr = nr / tokens;
    const double se = std::sqrt((pf * (1 - pf) + pr * (1 - pr)) / tokens) + 1e-9;
    return std::fabs(pf - pr) <= 5 * se + 2.0 / tokens;
  };
  for (std::size_t n = 0; n < fast_groups.size(); ++n) {
    INFO("tokens over " << n << " groups: " << fast_groups[n] << " against " << race_groups[n]);
    REQUIRE(agree(fast_groups[n], race_groups[n]));
  }
  // Cells seen at least 100 times each carry the comparison: most of the probability.
  double checked_mass = 0;
  for (std::size_t i = 0; i < fast.size(); ++i) {
    INFO("expert " << i / top << " rank " << i % top);
    REQUIRE(agree(fast[i], race[i]));
    if (race[i] >= 100) checked_mass += race[i] / tokens;
  }
  CHECK(checked_mass > 0.8 * top);
}

std::unique_ptr<ExpertRouter> make_one_group(const std::string& params_json) {
  MoeSpec one_group = v3_moe();
  one_group.num_expert_groups = 1;
  one_group.num_groups_selected = 1;
  const Json spec = Json::parse(R"({"name": "group-limited", "params": )" + params_json + "}");
  return expert_routers().create(JsonReader(spec, "scenario.json", "/policies/expert_router"), one_group,
                                 Rng(5, "routing"));
}

}  // namespace

TEST_CASE("the sampler draws from the exponential race over all 256 experts") {
  SECTION("DeepSeek-V3's 8 groups of 32, 4 selected, skewed popularity") {
    auto r = make(R"({"sigma": 1.5})");
    check_against_full_race(*r, 100000);
  }
  SECTION("one group of 256 (long scans inside a group), Zipf popularity") {
    auto r = make_one_group(R"({"popularity": "zipf", "zipf_exponent": 1.1})");
    check_against_full_race(*r, 60000);
  }
  SECTION("equal popularity: every key ties in law") {
    auto r = make(R"({"popularity": "uniform"})");
    check_against_full_race(*r, 60000);
  }
}

TEST_CASE("with one group per node no token reaches more than 4 nodes") {
  // 8 nodes x 8 GPUs, hierarchical EPLB: every replica of a group's experts on the group's node.
  for (const char* sampler : {R"({"exact": true})", R"({"exact": false})"}) {
    INFO(sampler);
    auto r = make(sampler);
    const auto q = r->inclusion_probability(0);
    const PlacementShape s{256, 8, 8, 64, 320};
    const ExpertPlacement p = eplb_hierarchical(std::vector<double>(q.begin(), q.end()), s);
    std::vector<std::int64_t> tokens(64, 0);
    RoutingResult out;
    for (int step = 0; step < 300; ++step) {
      const int src = step % 64;
      tokens.assign(64, 0);
      tokens[static_cast<std::size_t>(src)] = 1;  // one token: its nodes are its unique (token, node) pairs
      r->route(0, p, 8, tokens, out);
      std::int64_t nodes = 0;
      for (int n = 0; n < 8; ++n) nodes += out.node_pair(src, n);
      REQUIRE(nodes >= 1);
      REQUIRE(nodes <= 4);
      REQUIRE(sum(out.slot_tokens) == 8);
    }
    tokens.assign(64, 100);
    r->route(0, p, 8, tokens, out);
    for (int src = 0; src < 64; ++src) {
      std::int64_t nodes = 0;
      for (int n = 0; n < 8; ++n) nodes += out.node_pair(src, n);
      CHECK(nodes <= 4 * 100);
    }
  }
}

TEST_CASE("token copies are conserved on every sampler path") {
  // Per source 128 tokens (multinomial path: 1024 copies > 288 slots + 32 GPUs), 4 tokens
  // (bootstrap path), and the exact sampler.
  const PlacementShape s{256, 8, 4, 32, 288};
  for (const char* cfg : {R"({"exact": false})", R"({"exact": true})"}) {
    auto r = make(cfg);
    const auto q = r->inclusion_probability(0);
    const ExpertPlacement p = eplb_rebalance(std::vector<double>(q.begin(), q.end()), s);
    for (std::int64_t per_gpu : {128, 4}) {
      INFO(cfg << " tokens " << per_gpu);
      std::vector<std::int64_t> tokens(32, per_gpu);
      tokens[3] = 0;
      RoutingResult out;
      r->route(0, p, 8, tokens, out);
      const std::int64_t total = sum(tokens) * 8;
      CHECK(sum(out.slot_tokens) == total);
      CHECK(sum(out.gpu_tokens) == total);
      CHECK(sum(out.expert_tokens) == total);
      for (int src = 0; src < 32; ++src) {
        std::int64_t to_gpus = 0, to_nodes = 0;
        for (int d = 0; d < 32; ++d) to_gpus += out.gpu_pair(src, d);
        for (int n = 0; n < 4; ++n) to_nodes += out.node_pair(src, n);
        const std::int64_t t = tokens[static_cast<std::size_t>(src)];
        CHECK(to_gpus <= 8 * t);
        CHECK(to_nodes <= to_gpus);
        CHECK(to_nodes <= 4 * t);
        if (t > 0) CHECK(to_nodes >= t);
      }
    }
  }
}

TEST_CASE("a replica on the source GPU takes all of that source's tokens for its expert") {
  // 4 experts, 1 group, 2 GPUs x 4 slots: expert 0 on both GPUs.
  ExpertRouterConfig c;
  c.num_experts = 4;
  c.top_k = 1;
  c.popularity = "uniform";
  c.exact = true;
  ExpertRouter r(c, Rng(3));
  const PlacementShape s{4, 1, 1, 2, 8};
  const ExpertPlacement p = placement_from_phy2log({0, 1, 2, 3, 0, 1, 2, 3}, s);
  RoutingResult out;
  r.route(0, p, 1, std::vector<std::int64_t>{400, 0}, out);  // one GPU per node: GPU 0 is its own node
  for (int q = 4; q < 8; ++q) CHECK(out.slot_tokens[q] == 0);
  CHECK(out.gpu_pair(0, 1) == 0);
  // No local replica: round-robin over the remote replicas splits evenly.
  const ExpertPlacement p2 = placement_from_phy2log({1, 2, 3, 1, 0, 2, 0, 3}, s);
  r.route(0, p2, 1, std::vector<std::int64_t>{1000, 0}, out);
  CHECK(std::abs(out.slot_tokens[4] - out.slot_tokens[6]) <= 1);
}

TEST_CASE("the fast sampler matches the exact sampler's mean and max-load statistics") {
  // Decode-like microbatch: 32 GPUs in 4 nodes, 128 tokens each, EPLB placement of the layer's
  // own popularity. Tolerances: per-expert means within 10% for the 32 hottest experts (pool
  // estimate of q: relative sd ~3% at q ~ 0.1, plus the exact side's own noise over 40 steps);
  // mean of the max GPU and max slot load within 5%; unique dispatch totals within 3%.
  const PlacementShape s{256, 8, 4, 32, 288};
  auto exact = make(R"({"exact": true, "sigma": 1.0})", 9);
  auto fast = make(R"({"exact": false, "sigma": 1.0})", 9);
  const auto q = fast->inclusion_probability(0);
  const ExpertPlacement p = eplb_rebalance(std::vector<double>(q.begin(), q.end()), s);
  struct Stats {
    std::vector<double> expert;
    double max_gpu = 0, max_slot = 0, uniq_gpu = 0, uniq_node = 0;
  };
  auto run = [&](ExpertRouter& r, int steps, std::int64_t per_gpu) {
    Stats st;
    st.expert.assign(256, 0.0);
    RoutingResult out;
    const std::vector<std::int64_t> tokens(32, per_gpu);
    for (int k = 0; k < steps; ++k) {
      r.route(0, p, 8, tokens, out);
      for (int e = 0; e < 256; ++e) st.expert[e] += static_cast<double>(out.expert_tokens[e]) / steps;
      st.max_gpu += static_cast<double>(*std::max_element(out.gpu_tokens.begin(), out.gpu_tokens.end())) / steps;
      st.max_slot += static_cast<double>(*std::max_element(out.slot_tokens.begin(), out.slot_tokens.end())) / steps;
      st.uniq_gpu += static_cast<double>(sum(out.dispatch_gpu)) / steps;
      st.uniq_node += static_cast<double>(sum(out.dispatch_node)) / steps;
    }
    return st;
  };
  for (std::int64_t per_gpu : {128, 8}) {
    INFO("tokens per GPU " << per_gpu);
    const int steps = per_gpu > 16 ? 40 : 400;
    const Stats a = run(*exact, steps, per_gpu);
    const Stats b = run(*fast, steps, per_gpu);
    std::vector<int> order(256);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int x, int y) { return a.expert[x] > a.expert[y]; });
    for (int i = 0; i < 32; ++i) {
      const int e = order[i];
      CHECK(b.expert[e] == Approx(a.expert[e]).epsilon(0.10));
    }
    CHECK(b.max_gpu == Approx(a.max_gpu).epsilon(0.05));
    CHECK(b.max_slot == Approx(a.max_slot).epsilon(0.05));
    CHECK(b.uniq_gpu == Approx(a.uniq_gpu).epsilon(0.03));
    CHECK(b.uniq_node == Approx(a.uniq_node).epsilon(0.03));
  }
}

TEST_CASE("popularity drifts only when asked, deterministically, and the load average follows") {
  auto frozen = make(R"({"drift_time_s": 0})");
  const std::vector<double> before(frozen->popularity(0).begin(), frozen->popularity(0).end());
  frozen->advance_to(seconds_to_ns(3600));
  CHECK(std::vector<double>(frozen->popularity(0).begin(), frozen->popularity(0).end()) == before);

  auto a = make(R"({"drift_time_s": 600, "refresh_interval_s": 60})", 21);
  auto b = make(R"({"drift_time_s": 600, "refresh_interval_s": 60})", 21);
  const std::vector<double> a0(a->popularity(0).begin(), a->popularity(0).end());
  a->advance_to(seconds_to_ns(30));  // less than one interval: unchanged
  CHECK(std::vector<double>(a->popularity(0).begin(), a->popularity(0).end()) == a0);
  a->advance_to(seconds_to_ns(1200));
  b->advance_to(seconds_to_ns(1200));
  const std::vector<double> a1(a->popularity(0).begin(), a->popularity(0).end());
  CHECK(a1 != a0);
  CHECK(std::vector<double>(b->popularity(0).begin(), b->popularity(0).end()) == a1);

  // Moving average: after many microbatches it tracks each expert's expected share of the token
  // copies (inclusion probability over top_k), and the shares sum to 1.
  const PlacementShape s{256, 8, 4, 32, 288};
  const ExpertPlacement p = expert_placers().entries().at("none").make(Params())->place(std::vector<double>(256, 1.0), s);
  RoutingResult out;
  const std::vector<std::int64_t> tokens(32, 256);
  for (int k = 0; k < 200; ++k) a->route(0, p, 8, tokens, out);
  const auto q = a->inclusion_probability(0);
  const auto ema = a->load_ema(0);
  double hot = 0;
  int hot_e = 0;
  for (int e = 0; e < 256; ++e) {
    if (q[e] > hot) {
      hot = q[e];
      hot_e = e;
    }
  }
  CHECK(ema[hot_e] == Approx(hot / 8).epsilon(0.15));
  CHECK(std::accumulate(ema.begin(), ema.end(), 0.0) == Approx(1.0));
}

TEST_CASE("a run starts with a load history one popularity refresh old") {
  const std::string params = R"({"sigma": 0.6, "drift_time_s": 3600, "refresh_interval_s": 600})";
  const PlacementShape decode{256, 8, 18, 144, 288};
  auto eplb = expert_placers().entries().at("eplb").make(Params());
  const ExpertPlacement uniform = eplb->place(std::vector<double>(256, 1.0), decode);
  const std::vector<std::int64_t> tokens(144, 64);
  RoutingResult out;

  // Without a history the clock stands at 0: advancing to 0 leaves the popularity as it is.
  auto fresh = make(params, 9);
  const std::vector<double> p_start(fresh->popularity(0).begin(), fresh->popularity(0).end());
  fresh->advance_to(0);
  CHECK(std::vector<double>(fresh->popularity(0).begin(), fresh->popularity(0).end()) == p_start);

  // With one, the same seed's popularity is the history's, and it moves once on reaching 0.
  auto aged = make(params, 9);
  aged->start_with_history(uniform, 8, tokens, 16);
  CHECK(std::vector<double>(aged->popularity(0).begin(), aged->popularity(0).end()) == p_start);
  aged->advance_to(0);
  const std::vector<double> q_now(aged->inclusion_probability(0).begin(), aged->inclusion_probability(0).end());
  CHECK(std::vector<double>(aged->popularity(0).begin(), aged->popularity(0).end()) != p_start);
  CHECK_THROWS_AS(aged->start_with_history(uniform, 8, tokens, 16), std::logic_error);

  // A placement made on the history serves the moved popularity worse than one made on the
  // popularity it serves (the fresh router's load average, routed at 0 without a history).
  for (int k = 0; k < 16; ++k) fresh->route(0, uniform, 8, tokens, out);
  const std::vector<double> q_fresh(fresh->inclusion_probability(0).begin(), fresh->inclusion_probability(0).end());
  const double fitted = gpu_imbalance(eplb->place(fresh->load_ema(0), decode), q_fresh);
  const double stale = gpu_imbalance(eplb->place(aged->load_ema(0), decode), q_now);
  CHECK(fitted < 1.15);
  CHECK(stale > fitted + 0.2);
}

TEST_CASE("the exact sampler's tokens are pinned to the draw") {
  // A digest of the experts and their order over many tokens. The day's results hang on every
  // pool the sampler draws, so a change to how it uses its random numbers must be deliberate
  // (new digests, regenerated goldens and documents); one that only makes it faster keeps them.
  // Two shapes: DeepSeek-V3's 8 groups of 32, and one group of 256.
  auto digest = [](ExpertRouter& r) {
    std::vector<int> experts(static_cast<std::size_t>(r.config().top_k));
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (int t = 0; t < 20000; ++t) {
      r.sample_token(0, experts);
      for (int e : experts) h = (h ^ static_cast<std::uint64_t>(e)) * 0x100000001B3ULL;
    }
    return h;
  };
  auto grouped = make(R"({"sigma": 1.5})");
  auto flat = make_one_group(R"({"popularity": "zipf", "zipf_exponent": 1.1})");
  CHECK(digest(*grouped) == 0x2849d2d3ccc76feeULL);
  CHECK(digest(*flat) == 0xab327a7f99f86564ULL);
}

TEST_CASE("routing the loads alone changes nothing routed after it") {
  // Two routers from one seed route the same microbatches through two placements, one asking for
  // the dispatch pairs every time, the other skipping them on the first routes of each
  // placement: every load matches, and so do the dispatch pairs once both ask for them (the copy
  // -> unique ratios measured later are the same as measured at once).
  auto eager = make("{}"), lazy = make("{}");
  const auto q = eager->inclusion_probability(0);
  const PlacementShape s{256, 8, 8, 64, 320};
  const std::vector<double> load(q.begin(), q.end());
  std::vector<double> skewed = load;
  for (std::size_t e = 0; e < skewed.size(); e += 3) skewed[e] *= 2;
  const ExpertPlacement placements[] = {eplb_hierarchical(load, s), eplb_hierarchical(skewed, s)};
  // Small and large sources: the bootstrap path (token by token) and the counting path.
  std::vector<std::int64_t> tokens(64);
  for (std::size_t g = 0; g < tokens.size(); ++g) tokens[g] = g % 2 == 0 ? 3 : 400;
  RoutingResult a, b;
  for (const ExpertPlacement& p : placements) {
    for (int i = 0; i < 6; ++i) {
      const bool lazy_dispatch = i >= 3;
      eager->route(0, p, 8, tokens, a);
      lazy->route(0, p, 8, tokens, b, lazy_dispatch);
      REQUIRE(a.slot_tokens == b.slot_tokens);
      REQUIRE(a.gpu_tokens == b.gpu_tokens);
      REQUIRE(a.expert_tokens == b.expert_tokens);
      if (lazy_dispatch) {
        REQUIRE(a.dispatch_gpu == b.dispatch_gpu);
        REQUIRE(a.dispatch_node == b.dispatch_node);
      } else {
        REQUIRE(sum(b.dispatch_gpu) == 0);
        REQUIRE(sum(a.dispatch_gpu) > 0);
      }
    }
  }
  const auto ea = eager->load_ema(0), la = lazy->load_ema(0);
  CHECK(std::equal(ea.begin(), ea.end(), la.begin(), la.end()));
}
