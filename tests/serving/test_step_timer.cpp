// StepTimer: the memoised duration is the full step's total, whichever query filled the memo (or
// the memos of its batch's and its routed experts' parts), and a step depends only on its bucket.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/serving/serving_system.hpp"

using namespace fleetsim;

namespace {

StepQuery decode_query(std::int64_t seqs, double kv_per_seq, double imbalance) {
  StepQuery q;
  q.max_rank_mb.sequences = seqs;
  q.max_rank_mb.tokens = 2 * seqs;
  q.max_rank_mb.kv_tokens_read = kv_per_seq * static_cast<double>(seqs);
  q.max_rank_mb.attended_pairs = q.max_rank_mb.kv_tokens_read * 2;
  q.unit_tokens_mb = 144.0 * 2 * static_cast<double>(seqs) * 0.9;
  q.logit_tokens = 4 * seqs;
  q.expert_imbalance = imbalance;
  return q;
}

}  // namespace

TEST_CASE("a step's duration is the full step's total, whatever filled the memos") {
  const ScenarioSpec s = load_scenario(FLEETSIM_SOURCE_DIR "/scenarios/deepseek-v3-r1-day.json");
  const ServingSystem sys(s);
  const StepTimer& timer = sys.decode_timer();
  std::vector<StepQuery> queries;
  for (std::int64_t seqs : {8, 32, 64}) {
    for (double imbalance : {1.4, 1.9}) queries.push_back(decode_query(seqs, 4989, imbalance));
  }
  // First calls fill the memo, second calls read it: both equal the full step's total. In the
  // first pass each batch's second query (another imbalance) reuses the part its first costed.
  for (int pass = 0; pass < 2; ++pass) {
    for (const StepQuery& q : queries) {
      INFO("pass " << pass << ", " << q.max_rank_mb.sequences << " sequences, imbalance " << q.expert_imbalance);
      const TimeNs ns = timer.step_ns(q);
      CHECK(ns > 0);
      CHECK(ns == timer.step(q).total_ns);
    }
  }
  // A query in the same bucket (KV 0.01% longer, far below the 0.27% bucket) takes the bucket's
  // duration; one several buckets away does not.
  const StepQuery q = decode_query(64, 4989, 1.6);
  CHECK(timer.step_ns(decode_query(64, 4989 * 1.0001, 1.6)) == timer.step_ns(q));
  CHECK(timer.step(decode_query(64, 4989 * 1.0001, 1.6)).total_ns == timer.step_ns(q));
  CHECK(timer.step_ns(decode_query(64, 4989 * 1.05, 1.6)) > timer.step_ns(q));
  // The bucket's value is within half a bucket of the query's own: the unsnapped step is close.
  const double own = static_cast<double>(timer.compute_step(q).total_ns);
  CHECK(static_cast<double>(timer.step_ns(q)) == Approx(own).epsilon(0.003));
}
