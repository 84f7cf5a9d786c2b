// Measured-over-predicted time ratios of the operators of one phase's step: what
// `fleetsim validate-step --write-measured` writes and the "measured" layer cost model reads.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "sim/hw/operators.hpp"
#include "sim/util/json_reader.hpp"

namespace fleetsim {

struct MeasuredRatios {
  Phase phase = Phase::kDecode;
  // Operator key (see operator_key) -> measured time / predicted time. Absent keys count as 1.
  std::map<std::string, double> ops;
  std::string gpu, date, executor;  // where, when and how the times were measured
};

// The key an operator's ratio is filed under: its name, with "mtp." in front of the MTP block's
// copies of layer operators (the names explain-step and validate-step print).
std::string operator_key(const Operator& op);

// Every key the operators of `phase` can have (a dense and a MoE layer, and the step operators),
// so that a ratio file naming anything else is rejected rather than silently ignored.
std::set<std::string> operator_keys(const ModelShapes& shapes, Phase phase);

// Reads a ratio file; a missing file, bad JSON or a bad field is a ConfigError naming the file
// and the JSON path. With `phase` given, a file of the other phase is an error; with
// `known_keys` non-empty, so is an "ops" key outside it.
MeasuredRatios load_measured_ratios(const std::string& path, std::optional<Phase> phase = {},
                                    const std::set<std::string>& known_keys = {});
MeasuredRatios parse_measured_ratios(const JsonReader& r, std::optional<Phase> phase = {},
                                     const std::set<std::string>& known_keys = {});
Json measured_ratios_json(const MeasuredRatios& m);

}  // namespace fleetsim
