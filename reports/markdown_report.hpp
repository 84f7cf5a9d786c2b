// report.md: the run's headline, fleet, economics, latency, hourly and validation tables as
// aligned Markdown that reads in a terminal and renders on GitHub.
#pragma once

#include <string>

#include "reports/report_data.hpp"

namespace fleetsim {

std::string render_markdown(const ReportData& data);

}  // namespace fleetsim
