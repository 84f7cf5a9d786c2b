// Day-6 prefill load balancer: balance core-attention computation across GPUs and equalise the
// input tokens each GPU sends through dispatch (facts file section 1.6).
#include <memory>

#include "sim/policies/load_balancer.hpp"
#include "sim/policies/scored_balancer.hpp"

namespace fleetsim {

namespace {
double non_negative_weight(const Params& p, const std::string& key) {
  const double w = p.number(key);
  if (!(w >= 0)) throw ConfigError(p.file(), p.path() + "/" + key, "a weight >= 0");
  return w;
}
}  // namespace

void register_attention_balanced(LoadBalancerRegistry& prefill) {
  prefill.add(
      {"attention-balanced",
       "Day-6 prefill LB: lowest attention_weight*attention/mean + token_weight*tokens/mean over "
       "the targets (queued attended pairs and input tokens), lowest index on ties",
       {{"attention_weight", "number", "", 1.0, "weight of queued core-attention pairs (normalised by the mean)"},
        {"token_weight", "number", "", 1.0, "weight of queued input tokens (normalised by the mean)"}},
       [](const Params& p, Rng) -> std::unique_ptr<LoadBalancer> {
         const double wa = non_negative_weight(p, "attention_weight");
         const double wt = non_negative_weight(p, "token_weight");
         if (wa + wt <= 0) throw ConfigError(p.file(), p.path(), "at least one weight > 0");
         return std::make_unique<ScoredBalancer>(
             "attention-balanced",
             std::vector<ScoreTerm>{{LoadTerm::kAttention, wa, true}, {LoadTerm::kTokens, wt, true}});
       }});
}

void register_kv_balanced(LoadBalancerRegistry& decode) {
  decode.add(
      {"kv-balanced",
       "Day-6 decode LB: lowest kv_weight*kv_usage/mean + request_weight*requests/mean among targets "
       "with room for input + expected output KV, lowest index on ties",
       {{"kv_weight", "number", "", 1.0, "weight of KV-cache usage (reserved/capacity, normalised by the mean)"},
        {"request_weight", "number", "", 1.0, "weight of running requests (normalised by the mean)"}},
       [](const Params& p, Rng) -> std::unique_ptr<LoadBalancer> {
         const double wk = non_negative_weight(p, "kv_weight");
         const double wr = non_negative_weight(p, "request_weight");
         if (wk + wr <= 0) throw ConfigError(p.file(), p.path(), "at least one weight > 0");
         return std::make_unique<ScoredBalancer>(
             "kv-balanced",
             std::vector<ScoreTerm>{{LoadTerm::kKvUsage, wk, true}, {LoadTerm::kRequests, wr, true}});
       }});
}

}  // namespace fleetsim
