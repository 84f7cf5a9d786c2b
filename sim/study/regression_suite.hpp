// The policy regression gate (`fleetsim regress`): a suite of small scenarios, each run and its
// metrics compared with committed goldens under declared tolerances.
//
// A suite is a folder holding suite.json (the entries, the metrics checked and their tolerances:
// hand-written and reviewed) and goldens.json (the golden values: written by `--update` only).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/util/json_reader.hpp"

namespace fleetsim {

enum class Direction {
  kBoth,           // any change beyond the tolerance fails
  kHigherIsWorse,  // only a rise beyond the tolerance fails (latencies, cost)
  kLowerIsWorse,   // only a fall beyond the tolerance fails (throughput, completions)
};

struct MetricCheck {
  std::string metric;       // dotted path into summary.json
  double relative = 0;      // allowed change as a fraction of the golden value
  double absolute = 0;      // allowed change in the metric's unit; the larger allowance applies
  Direction direction = Direction::kBoth;
};

struct RegressionEntry {
  std::string name;
  std::string description;
  std::string scenario;                // resolved path
  double scale = 1.0;
  std::vector<std::string> overrides;  // the suite's common --set list, then the entry's
  std::vector<MetricCheck> checks;     // the suite's checks, with the entry's added/replacing
};

struct RegressionSuite {
  std::string dir;
  std::string suite_file, goldens_file;
  std::vector<RegressionEntry> entries;
  // entry name -> metric -> golden value; empty before the first --update.
  std::map<std::string, std::map<std::string, double>> goldens;
};

// Loads dir/suite.json and (when present) dir/goldens.json. Throws ConfigError.
RegressionSuite load_regression_suite(const std::string& dir);

enum class Verdict { kPass, kImproved, kRegressed, kChanged, kMissingGolden, kMissingMetric };
const char* verdict_name(Verdict v);
bool verdict_fails(Verdict v);

struct CheckOutcome {
  std::string entry;
  MetricCheck check;
  std::optional<double> golden;
  std::optional<double> now;
  Verdict verdict = Verdict::kPass;
};

// Compares one metric value with its golden under the check's tolerance.
Verdict judge(const MetricCheck& c, std::optional<double> golden, std::optional<double> now);

// Every check of one entry against its run's summary.
std::vector<CheckOutcome> evaluate_entry(const RegressionSuite& suite, const RegressionEntry& e,
                                         const Json& summary);

// One check in a line: "latency.ttft_s.p99: golden 3.1, now 3.5, +0.4 (+12.9%), tolerance +5%: REGRESSED".
std::string format_outcome(const CheckOutcome& o);

// The readable table: scenario, metric, golden, now, change, tolerance, verdict.
std::string render_outcomes(const std::vector<CheckOutcome>& outcomes, bool failures_only);

// goldens.json for the given summaries (entry name -> summary), every checked metric.
Json make_goldens(const RegressionSuite& suite, const std::map<std::string, Json>& summaries);

}  // namespace fleetsim
