// The shape of a day's load between its hourly means: the rates at each hour's midpoint that
// make a piecewise-linear rate through them give every hour exactly its mean.
#pragma once

#include <vector>

namespace fleetsim {

// `hourly` holds each hour's mean rate (any unit); the day wraps around (the hour after the last
// is the first). The result may hold negative values when an hour falls far below both
// neighbours: such a day has no positive linear shape.
std::vector<double> linear_midpoint_rates(const std::vector<double>& hourly);

}  // namespace fleetsim
