// Metrics hooks and node-time integration.
#include "sim/metrics/metrics.hpp"

#include <algorithm>

namespace fleetsim {

const char* reject_reason_name(RejectReason r) {
  switch (r) {
    case RejectReason::kNoPrefillUnit: return "no_prefill_unit";
    case RejectReason::kPrefillQueueWait: return "prefill_queue_wait";
    case RejectReason::kKvStorageBacklog: return "kv_storage_backlog";
    case RejectReason::kDecodeCapacity: return "decode_kv_capacity_wait";
    case RejectReason::kTooLong: return "exceeds_gpu_kv_capacity";
    case RejectReason::kCount: break;
  }
  return "unknown";
}

Metrics::Metrics(TimeNs duration_ns, TimeNs sample_interval_ns)
    : sample_interval_ns_(sample_interval_ns) {
  hours_.resize(static_cast<std::size_t>((duration_ns + kNsPerHour - 1) / kNsPerHour));
}

HourBucket& Metrics::hour_of(TimeNs t) {
  const auto h = static_cast<std::size_t>(std::max<TimeNs>(t, 0) / kNsPerHour);
  return hours_[std::min(h, hours_.size() - 1)];
}

std::uint64_t Metrics::rejected() const {
  std::uint64_t s = 0;
  for (auto r : rejected_) s += r;
  return s;
}

void Metrics::on_arrival(TimeNs now) {
  ++arrived_;
  ++iv_arrivals_;
  ++hour_of(now).arrivals;
}

void Metrics::on_reject(TimeNs, RejectReason reason) {
  ++rejected_[static_cast<int>(reason)];
  if (closed_) ++rejected_after_close_;
  else ++iv_rejected_;
}

void Metrics::on_prefill_done(TimeNs now, TimeNs ttft_ns, std::int64_t input_tok,
                              std::int64_t cached_tok) {
  const double s = ns_to_seconds(ttft_ns);
  ttft_s_.add(s);
  if (closed_) return;
  iv_ttft_s_.add(s);
  input_tok_ += static_cast<double>(input_tok);
  cached_tok_ += static_cast<double>(cached_tok);
  iv_input_ += static_cast<double>(input_tok);
  auto& h = hour_of(now);
  h.input_tok += static_cast<double>(input_tok);
  h.cached_tok += static_cast<double>(cached_tok);
  // The prefill emits the first output token.
  output_tok_ += 1;
  iv_output_ += 1;
  h.output_tok += 1;
}

void Metrics::on_decode_step(TimeNs now, double output_tok) {
  if (closed_) return;
  output_tok_ += output_tok;
  iv_output_ += output_tok;
  hour_of(now).output_tok += output_tok;
}

void Metrics::on_complete(TimeNs now, TimeNs tpot_ns, std::int64_t input_tok, std::int64_t cached_tok,
                          std::int64_t output_tok) {
  ++completed_;
  completed_mix_.add(input_tok, cached_tok, output_tok);
  if (!closed_) ++hour_of(now).completed;
  if (output_tok > 1 && tpot_ns > 0) {
    const double ms = ns_to_ms(tpot_ns);
    tpot_ms_.add(ms);
    if (!closed_) iv_tpot_ms_.add(ms);
    stream_tok_per_s_.add(1e3 / ms);
    const double tokens = static_cast<double>(output_tok - 1);
    stream_tokens_ += tokens;
    stream_s_ += tokens * ms / 1e3;
  }
}

void Metrics::advance_nodes(TimeNs now) {
  // Integrate node counts since the last change, split at hour boundaries.
  TimeNs t = nodes_since_ns_;
  while (t < now) {
    const TimeNs hour_end = (t / kNsPerHour + 1) * kNsPerHour;
    const TimeNs until = std::min(now, hour_end);
    const double dt = ns_to_seconds(until - t);
    auto& h = hour_of(t);
    const int prefill = prefill_nodes_.held(), decode = decode_nodes_.held();
    h.prefill_node_s += prefill * dt;
    h.decode_node_s += decode * dt;
    h.node_s += (prefill + decode) * dt;
    auto integrate = [dt](RoleNodeSeconds& s, const RoleNodes& n) {
      s.warming += n.warming * dt;
      s.active += n.active * dt;
      s.draining += n.draining * dt;
    };
    integrate(prefill_node_s_, prefill_nodes_);
    integrate(decode_node_s_, decode_nodes_);
    prefill_capacity_tok_ += prefill_nodes_.active * prefill_capacity_per_node_ * dt;
    decode_capacity_tok_ += decode_nodes_.active * decode_capacity_per_node_ * dt;
    iv_prefill_node_s_ += prefill * dt;
    iv_decode_node_s_ += decode * dt;
    t = until;
  }
  nodes_since_ns_ = std::max(nodes_since_ns_, now);
}

void Metrics::on_nodes(TimeNs now, const RoleNodes& prefill, const RoleNodes& decode) {
  if (closed_) return;
  advance_nodes(now);
  prefill_nodes_ = prefill;
  decode_nodes_ = decode;
  const int total = prefill.held() + decode.held();
  peak_nodes_ = std::max(peak_nodes_, total);
  min_nodes_ = nodes_seen_ ? std::min(min_nodes_, total) : total;
  nodes_seen_ = true;
}

void Metrics::on_capacity(TimeNs now, double prefill_input_tok_per_s_per_node,
                          double decode_output_tok_per_s_per_node) {
  if (closed_) return;
  advance_nodes(now);
  prefill_capacity_per_node_ = prefill_input_tok_per_s_per_node;
  decode_capacity_per_node_ = decode_output_tok_per_s_per_node;
}

void Metrics::sample(TimeNs now, const FleetSnapshot& snap) {
  if (closed_) return;
  advance_nodes(now);
  const double dt = ns_to_seconds(now - last_sample_ns_);
  if (dt <= 0) return;
  TimelineRow row;
  row.t_h = ns_to_seconds(now) / 3600.0;
  row.nodes_prefill = snap.prefill_nodes;
  row.nodes_decode = snap.decode_nodes;
  row.arrivals_per_s = static_cast<double>(iv_arrivals_) / dt;
  row.input_tok_per_s = iv_input_ / dt;
  row.output_tok_per_s = iv_output_ / dt;
  row.prefill_tok_per_s_per_node = iv_prefill_node_s_ > 0 ? iv_input_ / iv_prefill_node_s_ : 0;
  row.decode_tok_per_s_per_node = iv_decode_node_s_ > 0 ? iv_output_ / iv_decode_node_s_ : 0;
  row.decode_batch_per_gpu =
      snap.decode_gpus_active ? static_cast<double>(snap.decode_streams) / snap.decode_gpus_active : 0;
  row.output_tok_per_s_per_stream =
      snap.decode_streams ? row.output_tok_per_s / static_cast<double>(snap.decode_streams) : 0;
  row.ttft_p50_s = iv_ttft_s_.quantile(0.5);
  row.ttft_p99_s = iv_ttft_s_.quantile(0.99);
  row.tpot_p50_ms = iv_tpot_ms_.quantile(0.5);
  row.tpot_p99_ms = iv_tpot_ms_.quantile(0.99);
  row.prefill_queue = snap.prefill_queue;
  row.expert_imbalance_prefill = snap.expert_imbalance_prefill;
  row.expert_imbalance_decode = snap.expert_imbalance_decode;
  row.rejected = iv_rejected_;
  timeline_.push_back(row);
  last_sample_ns_ = now;
  iv_arrivals_ = iv_rejected_ = 0;
  iv_input_ = iv_output_ = iv_prefill_node_s_ = iv_decode_node_s_ = 0;
  iv_ttft_s_.clear();
  iv_tpot_ms_.clear();
}

void Metrics::on_decision(const FleetDecision& d) {
  if (!closed_) decisions_.push_back(d);
}

void Metrics::close_window(TimeNs end) {
  if (closed_) return;
  advance_nodes(end);
  closed_ = true;
}

}  // namespace fleetsim
