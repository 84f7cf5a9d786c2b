// Fluid flows over shared links with max-min fair sharing (progressive filling), event-driven in
// integer ns: rates are recomputed whenever a flow starts or finishes (SimGrid-style, no packets).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/hw/topology.hpp"

namespace fleetsim {

// `count` identical flows (same route, bytes and start) aggregated into one record: they always
// get the same rate, so progressive filling treats them as one entry of weight `count`.
struct Flow {
  Route links;
  double bytes = 0;
  TimeNs start_ns = 0;
  int count = 1;
};

struct FlowResult {
  std::vector<TimeNs> finish_ns;  // per flow record (every copy of an aggregated flow)
  TimeNs makespan_ns = 0;         // last finish
  int rate_computations = 0;      // how many times max-min rates were recomputed
};

class FlowModel {
 public:
  explicit FlowModel(std::vector<double> link_bytes_per_s);

  // Max-min fair rates (bytes/s per copy) of flows all active together.
  std::vector<double> max_min_rates(const std::vector<Flow>& flows) const;
  // Completion time of every flow, rates recomputed at each start and finish. With
  // batch_fraction > 0, flows due to finish within (1 + batch_fraction) x the earliest remaining
  // time finish together at the latest of those times (at most that fraction pessimistic): a
  // random 144x144 all-to-all then needs tens of rate recomputations instead of ~20,000.
  FlowResult run(const std::vector<Flow>& flows, double batch_fraction = 0.0) const;

 private:
  // Progressive filling over the subset `active` (indices into flows); writes rate[i].
  void fill(const std::vector<Flow>& flows, const std::vector<int>& active,
            std::vector<double>& rate) const;
  std::vector<double> capacity_;
};

}  // namespace fleetsim
