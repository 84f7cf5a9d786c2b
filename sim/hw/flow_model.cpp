// Max-min fairness by progressive filling: repeatedly saturate the link with the smallest fair
// share, freeze the flows crossing it, and remove their rates from the other links.
#include "sim/hw/flow_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace fleetsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

FlowModel::FlowModel(std::vector<double> link_bytes_per_s) : capacity_(std::move(link_bytes_per_s)) {
  for (double c : capacity_) {
    if (!(c > 0)) throw std::invalid_argument("FlowModel: link capacities must be > 0");
  }
}

void FlowModel::fill(const std::vector<Flow>& flows, const std::vector<int>& active,
                     std::vector<double>& rate) const {
  const std::size_t L = capacity_.size();
  std::vector<double> remaining(capacity_);
  std::vector<double> weight(L, 0.0);  // unfrozen flow copies per link
  std::vector<std::vector<int>> on_link(L);
  std::vector<char> frozen(flows.size(), 0);
  std::size_t unfrozen = 0;
  for (int f : active) {
    const Flow& fl = flows[static_cast<std::size_t>(f)];
    if (fl.links.empty()) {
      rate[static_cast<std::size_t>(f)] = kInf;
      frozen[static_cast<std::size_t>(f)] = 1;
      continue;
    }
    ++unfrozen;
    for (int l : fl.links) {
      weight[static_cast<std::size_t>(l)] += fl.count;
      on_link[static_cast<std::size_t>(l)].push_back(f);
    }
  }
  while (unfrozen > 0) {
    std::size_t best = L;
    double share = kInf;
    for (std::size_t l = 0; l < L; ++l) {
      if (weight[l] <= 0) continue;
      const double s = std::max(0.0, remaining[l]) / weight[l];
      if (s < share) {
        share = s;
        best = l;
      }
    }
    if (best == L) break;
    for (int f : on_link[best]) {
      const auto fi = static_cast<std::size_t>(f);
      if (frozen[fi]) continue;
      frozen[fi] = 1;
      --unfrozen;
      rate[fi] = share;
      for (int l : flows[fi].links) {
        const auto li = static_cast<std::size_t>(l);
        remaining[li] -= share * flows[fi].count;
        weight[li] -= flows[fi].count;
      }
    }
    weight[best] = 0;  // saturated, even if rounding left a sliver
  }
}

std::vector<double> FlowModel::max_min_rates(const std::vector<Flow>& flows) const {
  std::vector<int> all(flows.size());
  for (std::size_t i = 0; i < flows.size(); ++i) all[i] = static_cast<int>(i);
  std::vector<double> rate(flows.size(), 0.0);
  fill(flows, all, rate);
  return rate;
}

FlowResult FlowModel::run(const std::vector<Flow>& flows, double batch_fraction) const {
  FlowResult out;
  const std::size_t n = flows.size();
  out.finish_ns.assign(n, 0);
  for (const Flow& f : flows) {
    for (int l : f.links) {
      if (l < 0 || static_cast<std::size_t>(l) >= capacity_.size()) {
        throw std::out_of_range("FlowModel::run: link id out of range");
      }
    }
  }
  // Arrival order: by start time, then by index (a total order, so results are deterministic).
  std::vector<int> pending(n);
  for (std::size_t i = 0; i < n; ++i) pending[i] = static_cast<int>(i);
  std::stable_sort(pending.begin(), pending.end(), [&](int a, int b) {
    return flows[static_cast<std::size_t>(a)].start_ns < flows[static_cast<std::size_t>(b)].start_ns;
  });
  std::vector<double> left(n);
  for (std::size_t i = 0; i < n; ++i) left[i] = flows[i].bytes;
  std::vector<double> rate(n, 0.0);
  std::vector<int> active;
  std::size_t next = 0;
  TimeNs now = 0;

  auto admit = [&](TimeNs t) {
    while (next < n && flows[static_cast<std::size_t>(pending[next])].start_ns <= t) {
      const int f = pending[next++];
      const auto fi = static_cast<std::size_t>(f);
      if (!(left[fi] > 0) || flows[fi].links.empty() || flows[fi].count <= 0) {
        out.finish_ns[fi] = flows[fi].start_ns;
      } else {
        active.push_back(f);
      }
    }
  };

  while (next < n || !active.empty()) {
    if (active.empty()) now = std::max(now, flows[static_cast<std::size_t>(pending[next])].start_ns);
    admit(now);
    if (active.empty()) continue;
    fill(flows, active, rate);
    ++out.rate_computations;
    // Next event: the earliest finish (rounded up to whole ns) or the next arrival.
    double first_s = kInf;
    for (int f : active) {
      const auto fi = static_cast<std::size_t>(f);
      first_s = std::min(first_s, left[fi] / rate[fi]);
    }
    double batch_s = first_s;
    if (batch_fraction > 0) {
      const double bound_s = first_s * (1.0 + batch_fraction);
      for (int f : active) {
        const auto fi = static_cast<std::size_t>(f);
        const double s = left[fi] / rate[fi];
        if (s <= bound_s) batch_s = std::max(batch_s, s);
      }
    }
    const TimeNs t_finish = now + seconds_to_ns(batch_s);
    TimeNs t_next = t_finish;
    if (next < n) t_next = std::min(t_next, flows[static_cast<std::size_t>(pending[next])].start_ns);
    t_next = std::max(t_next, now + 1);
    const double dt_s = ns_to_seconds(t_next - now);
    std::vector<int> still;
    still.reserve(active.size());
    for (int f : active) {
      const auto fi = static_cast<std::size_t>(f);
      left[fi] -= rate[fi] * dt_s;
      // Within one ns of done counts as done: rounding never spawns a 1-ns straggler event.
      if (left[fi] <= rate[fi] * 1e-9) {
        out.finish_ns[fi] = t_next;
      } else {
        still.push_back(f);
      }
    }
    active.swap(still);
    now = t_next;
  }
  for (TimeNs t : out.finish_ns) out.makespan_ns = std::max(out.makespan_ns, t);
  return out;
}

}  // namespace fleetsim
