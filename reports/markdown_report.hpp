// report.md: the run's headline, fleet, economics, latency, hourly and validation tables as
// aligned Markdown that reads in a terminal and renders on GitHub.
#pragma once

#include <string>

#include "reports/report_data.hpp"
#include "reports/report_sections.hpp"

namespace fleetsim {

std::string render_markdown(const ReportData& data);

// One text table as an aligned pipe table: numeric columns right-aligned, a failed row's cells and
// a total row in bold.
std::string render_markdown_table(const TextTable& table);

}  // namespace fleetsim
