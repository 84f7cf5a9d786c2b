// The Vega-Lite specifications of report.html's charts, built from whichever series the run
// provided. Specs name their data ("data": {"name": <table>}); the page attaches the rows.
#pragma once

#include <string>
#include <vector>

#include "reports/report_data.hpp"

namespace fleetsim {

struct ChartSpec {
  std::string id;       // DOM id and key in the page's render status: "load", "ttft_hist", ...
  std::string section;  // heading the chart is grouped under
  std::string title;
  std::string caption;  // one line under the title
  std::string table;    // the series whose rows are attached as the named dataset
  Json spec;            // Vega-Lite, without data values
  bool wide = false;    // spans the page: many categories, or a section's only chart
};

// Charts whose series (and required columns) are present, in page order; absent ones are skipped.
std::vector<ChartSpec> build_chart_specs(const ReportData& data);

}  // namespace fleetsim
