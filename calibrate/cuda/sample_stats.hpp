// Summary statistics of repeated timings (median and spread), host-only.
#pragma once

#include <vector>

namespace fleetsim::microbench {

struct SampleSummary {
  double median = 0.0;
  double min = 0.0;
  double max = 0.0;
  int count = 0;
};

// Median of an even count is the mean of the two middle values. Empty input gives count 0.
SampleSummary summarize(std::vector<double> samples);

}  // namespace fleetsim::microbench
