// The series tables of a run (timeline, hourly economics, latency histograms, validation
// against published figures, rejections), in the report data contract.
#pragma once

#include <optional>
#include <vector>

#include "reports/report_data.hpp"
#include "sim/metrics/economics.hpp"
#include "sim/metrics/metrics.hpp"
#include "sim/spec/scenario_spec.hpp"

namespace fleetsim {

std::vector<SeriesTable> make_run_tables(const ScenarioSpec& s, const Metrics& m,
                                         const Economics& e, const Json& summary);

}  // namespace fleetsim
