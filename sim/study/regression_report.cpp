// Writers of the regression gate's files: JSON, CSV, JUnit XML and Markdown.
#include "sim/study/regression_report.hpp"

#include <cstdio>

#include "reports/csv_writer.hpp"
#include "reports/html_page.hpp"
#include "sim/util/text_file.hpp"

namespace fleetsim {

namespace {

Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(); }

std::size_t count_failed(const std::vector<RegressionRun>& runs) {
  std::size_t n = 0;
  for (const auto& r : runs) n += r.failed() ? 1 : 0;
  return n;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

}  // namespace

bool RegressionRun::failed() const {
  if (!error.empty()) return true;
  for (const auto& o : outcomes)
    if (verdict_fails(o.verdict)) return true;
  return false;
}

const char* direction_name(Direction d) {
  switch (d) {
    case Direction::kBoth:
      return "both";
    case Direction::kHigherIsWorse:
      return "higher_is_worse";
    case Direction::kLowerIsWorse:
      return "lower_is_worse";
  }
  return "both";
}

Json regression_to_json(const RegressionSuite& suite, const std::vector<RegressionRun>& runs) {
  Json entries = Json::array();
  for (const auto& r : runs) {
    Json checks = Json::array();
    for (const auto& o : r.outcomes)
      checks.push_back({{"metric", o.check.metric},
                        {"golden", optional_number(o.golden)},
                        {"now", optional_number(o.now)},
                        {"tolerance",
                         {{"relative", o.check.relative},
                          {"absolute", o.check.absolute},
                          {"direction", direction_name(o.check.direction)}}},
                        {"verdict", verdict_name(o.verdict)},
                        {"fails", verdict_fails(o.verdict)}});
    Json e{{"name", r.entry->name},
           {"description", r.entry->description},
           {"scenario", r.entry->scenario},
           {"passed", !r.failed()},
           {"checks", checks}};
    if (!r.error.empty()) e["error"] = r.error;
    entries.push_back(e);
  }
  return Json{{"suite", suite.suite_file},
              {"goldens", suite.goldens_file},
              {"passed", count_failed(runs) == 0},
              {"entries_failed", count_failed(runs)},
              {"entries", entries}};
}

std::string regression_csv(const std::vector<RegressionRun>& runs) {
  std::string out =
      "entry,metric,golden,now,relative_tolerance,absolute_tolerance,direction,verdict,error\n";
  auto cell = [](const std::optional<double>& v) {
    return v ? csv_field(Json(*v)) : std::string();
  };
  for (const auto& r : runs) {
    if (!r.error.empty()) {
      out += csv_field(r.entry->name) + ",,,,,,,simulation failed," + csv_field(r.error) + "\n";
      continue;
    }
    for (const auto& o : r.outcomes)
      out += csv_field(r.entry->name) + "," + csv_field(o.check.metric) + "," + cell(o.golden) +
             "," + cell(o.now) + "," + csv_field(Json(o.check.relative)) + "," +
             csv_field(Json(o.check.absolute)) + "," + direction_name(o.check.direction) + "," +
             csv_field(std::string(verdict_name(o.verdict))) + ",\n";
  }
  return out;
}

// One <testcase> per check (class: the entry), or one for a simulation that failed.
std::string regression_junit(const RegressionSuite& suite, const std::vector<RegressionRun>& runs) {
  std::size_t tests = 0, failures = 0, errors = 0;
  double total_s = 0;
  std::string cases;
  for (const auto& r : runs) {
    const std::string cls = escape_markup("fleetsim.regress." + r.entry->name);
    total_s += r.wall_s;
    if (!r.error.empty()) {
      ++tests;
      ++errors;
      cases += "    <testcase classname=\"" + cls + "\" name=\"simulation\" time=\"" +
               seconds_text(r.wall_s) + "\">\n      <error message=\"" + escape_markup(r.error) +
               "\"/>\n    </testcase>\n";
      continue;
    }
    // The entry's simulation time is split evenly over its checks, so the suite's total is right.
    const double each_s =
        r.outcomes.empty() ? 0 : r.wall_s / static_cast<double>(r.outcomes.size());
    for (const auto& o : r.outcomes) {
      ++tests;
      cases += "    <testcase classname=\"" + cls + "\" name=\"" + escape_markup(o.check.metric) +
               "\" time=\"" + seconds_text(each_s) + "\"";
      if (verdict_fails(o.verdict)) {
        ++failures;
        cases += ">\n      <failure message=\"" + escape_markup(format_outcome(o)) + "\" type=\"" +
                 escape_markup(verdict_name(o.verdict)) + "\"/>\n    </testcase>\n";
      } else {
        cases += "/>\n";
      }
    }
  }
  const std::string counts = "tests=\"" + std::to_string(tests) + "\" failures=\"" +
                             std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
                             "\" time=\"" + seconds_text(total_s) + "\"";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"fleetsim regress\" " +
         counts + ">\n  <testsuite name=\"" + escape_markup(suite.suite_file) + "\" " + counts +
         ">\n" + cases + "  </testsuite>\n</testsuites>\n";
}

std::string regression_markdown(const RegressionSuite& suite,
                                const std::vector<RegressionRun>& runs) {
  const std::size_t failed = count_failed(runs);
  std::string md =
      "# Policy regression gate\n\nSuite `" + suite.suite_file + "`, goldens `" +
      suite.goldens_file + "`: " +
      (failed == 0 ? "all " + std::to_string(runs.size()) + " scenario(s) within tolerance."
                   : std::to_string(failed) + " of " + std::to_string(runs.size()) +
                         " scenario(s) REGRESSED.") +
      "\n\n";
  std::vector<CheckOutcome> all;
  for (const auto& r : runs) {
    if (!r.error.empty()) md += "- `" + r.entry->name + "`: simulation failed: " + r.error + "\n";
    all.insert(all.end(), r.outcomes.begin(), r.outcomes.end());
  }
  if (!all.empty()) {
    if (!md.ends_with("\n\n")) md += '\n';
    md += render_outcomes(all, false);
  }
  return md;
}

void write_regression_report(const RegressionSuite& suite, const std::vector<RegressionRun>& runs,
                             const std::string& out_dir) {
  create_output_dir(out_dir);
  write_text_file_in(out_dir, "regress.json", regression_to_json(suite, runs).dump(2) + "\n");
  write_text_file_in(out_dir, "regress.csv", regression_csv(runs));
  write_text_file_in(out_dir, "regress.junit.xml", regression_junit(suite, runs));
  write_text_file_in(out_dir, "regress.md", regression_markdown(suite, runs));
}

}  // namespace fleetsim
