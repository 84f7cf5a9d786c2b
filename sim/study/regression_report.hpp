// The regression gate's result as files for CI and people: regress.json and regress.csv (every
// check), regress.junit.xml (one test case per check, which CI servers show natively) and
// regress.md (the verdict and the table of every check).
#pragma once

#include <string>
#include <vector>

#include "sim/study/regression_suite.hpp"
#include "sim/util/json_reader.hpp"

namespace fleetsim {

// One entry as run: its checks' outcomes, or why its simulation failed.
struct RegressionRun {
  const RegressionEntry* entry = nullptr;
  std::string error;  // the simulation's failure; empty when it ran
  double wall_s = 0;  // machine-dependent: in the JUnit file only
  std::vector<CheckOutcome> outcomes;
  bool failed() const;  // the simulation failed or a check did
};

const char* direction_name(Direction d);  // as suite.json writes it: "both", "higher_is_worse", ...

// Every run and check; byte-identical for the same outcomes (no timings).
Json regression_to_json(const RegressionSuite& suite, const std::vector<RegressionRun>& runs);
std::string regression_csv(const std::vector<RegressionRun>& runs);
std::string regression_junit(const RegressionSuite& suite, const std::vector<RegressionRun>& runs);
std::string regression_markdown(const RegressionSuite& suite,
                                const std::vector<RegressionRun>& runs);

// Writes the four files into out_dir (created if needed); throws std::runtime_error if it cannot.
void write_regression_report(const RegressionSuite& suite, const std::vector<RegressionRun>& runs,
                             const std::string& out_dir);

}  // namespace fleetsim
