// RequestMix accumulation.
#include "sim/metrics/request_mix.hpp"

namespace fleetsim {

void RequestMix::add(std::int64_t input_tok, std::int64_t cached_tok, std::int64_t output_tok) {
  const double in = static_cast<double>(input_tok), cached = static_cast<double>(cached_tok);
  const double out = static_cast<double>(output_tok);
  ++requests_;
  computed_tok_ += in - cached;
  cached_tok_ += cached;
  output_tok_ += out;
  pairs_ += causal_pairs(cached, in);
  // Output token j (0-based) is produced with the prompt and j earlier outputs in the cache.
  kv_output_tok_ += out * (in + (out - 1) / 2);
}

namespace {
double ratio(double a, double b) { return b > 0 ? a / b : 0; }
}  // namespace

double RequestMix::mean_computed_tok() const { return ratio(computed_tok_, static_cast<double>(requests_)); }
double RequestMix::mean_cached_tok() const { return ratio(cached_tok_, static_cast<double>(requests_)); }
double RequestMix::mean_output_tok() const { return ratio(output_tok_, static_cast<double>(requests_)); }
double RequestMix::pairs_per_computed_tok() const { return ratio(pairs_, computed_tok_); }
double RequestMix::kv_tok_per_output_tok() const { return ratio(kv_output_tok_, output_tok_); }

}  // namespace fleetsim
