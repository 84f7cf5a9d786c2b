// The shape of a mix of requests as capacity estimates need it: mean lengths per request, the
// attention a computed token costs (token-weighted, so long prompts weigh what they cost), and
// the KV length an output token sees (weighted by stream lifetime, as a decode batch is).
#pragma once

#include <cstdint>

namespace fleetsim {

// (query, key) pairs of causal attention for the prompt positions [p0, p1), each position
// attending to itself and everything before it.
inline double causal_pairs(double p0, double p1) { return (p1 - p0) * (p0 + p1 + 1) / 2.0; }

class RequestMix {
 public:
  void add(std::int64_t input_tok, std::int64_t cached_tok, std::int64_t output_tok);
  void clear() { *this = RequestMix(); }

  std::uint64_t requests() const { return requests_; }
  double mean_computed_tok() const;
  double mean_cached_tok() const;
  double mean_output_tok() const;
  // Attention pairs per computed prompt token, over the whole mix.
  double pairs_per_computed_tok() const;
  // Mean KV length (prompt + earlier output) when an output token is produced.
  double kv_tok_per_output_tok() const;

 private:
  std::uint64_t requests_ = 0;
  double computed_tok_ = 0, cached_tok_ = 0, output_tok_ = 0;
  double pairs_ = 0, kv_output_tok_ = 0;
};

}  // namespace fleetsim
