// Dotted metric paths into summary.json ("latency.ttft_s.p99"): lookup and flattening into the
// columns of sweep and plan tables. The machine-dependent `sim` section is never a metric.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/util/json_reader.hpp"

namespace fleetsim {

// Sections of summary.json that are not simulation results: `sim` (wall time, RSS: differs from
// machine to machine) and `scenario` (what was run, echoed).
bool is_result_section(const std::string& key);

// The summary without its non-result sections.
Json result_part(const Json& summary);

// Every numeric or boolean leaf of the summary's result sections, as (dotted path, value), in
// the summary's key order (sorted), which is stable across runs.
std::vector<std::pair<std::string, Json>> flatten_metrics(const Json& summary);

// The number at a dotted path, if there is one.
std::optional<double> metric_at(const Json& summary, const std::string& dotted);

}  // namespace fleetsim
