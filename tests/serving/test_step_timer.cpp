// StepTimer: the memoised duration is the full step's total, whichever query filled the memo (or
// the memos of its batch's and its routed experts' parts), and a step depends only on its bucket.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/hw/cost_model_registry.hpp"
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

TEST_CASE("only the prefill step depends on the dispatch fan-out EPLB measures") {
  const ScenarioSpec s = load_scenario(FLEETSIM_SOURCE_DIR "/scenarios/deepseek-v3-r1-day.json");
  const auto layers = layer_cost_models().create(
      JsonReader(s.policies, s.file, "/policies").at("layer_cost_model"), s.model, s.hardware);
  const auto comm = comm_cost_models().create(
      JsonReader(s.policies, s.file, "/policies").at("comm_cost_model"), s.model, s.hardware);
  StepTimer prefill(s, s.prefill, Phase::kPrefill, *layers, *comm);
  StepTimer decode(s, s.decode, Phase::kDecode, *layers, *comm);
  CHECK(prefill.uses_dest_gpus_per_token());
  CHECK_FALSE(decode.uses_dest_gpus_per_token());
  // ExpertBalance measures the fan-out only where it is used: the decode step must not move
  // with it, the prefill step must.
  StepQuery pq;
  pq.max_rank_mb.tokens = 4096;
  pq.max_rank_mb.sequences = 2;
  pq.max_rank_mb.attended_pairs = 4096.0 * 4096;
  pq.unit_tokens_mb = 32.0 * 4096;
  pq.logit_tokens = 2;
  pq.expert_imbalance = 1.3;
  const StepQuery dq = decode_query(64, 4989, 1.6);
  const TimeNs prefill_before = prefill.step_ns(pq), decode_before = decode.step_ns(dq);
  prefill.set_dest_gpus_per_token(2.0);
  decode.set_dest_gpus_per_token(2.0);
  CHECK(prefill.step_ns(pq) < prefill_before);  // fewer copies than the top_k on distinct GPUs
  CHECK(decode.step_ns(dq) == decode_before);
  CHECK(decode.step(dq).total_ns == decode_before);
}
