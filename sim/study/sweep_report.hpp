// The sweep's pages for people: sweep.md (a row per point: its grid values and the figures a
// capacity planner compares) and sweep.html (the same table, and those figures charted by point).
#pragma once

#include <string>
#include <vector>

#include "sim/study/sweep.hpp"

namespace fleetsim {

std::string render_sweep_markdown(const SweepSpec& spec,
                                  const std::vector<SweepPointResult>& points);
std::string render_sweep_html(const SweepSpec& spec, const std::vector<SweepPointResult>& points);

}  // namespace fleetsim
