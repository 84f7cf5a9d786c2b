// report.html: one self-contained page (chart libraries, data and Vega-Lite specs inlined) that
// opens offline. After the charts render, the page writes its render status (each chart's data
// rows and marks, any console errors or warnings) into #fleetsim-status for automated checks.
#pragma once

#include <string>

#include "reports/report_data.hpp"

namespace fleetsim {

std::string render_html(const ReportData& data);

// The marker that starts #fleetsim-status's text once rendering has finished; JSON follows it.
inline constexpr const char* kHtmlStatusMarker = "FLEETSIM_REPORT_STATUS";

}  // namespace fleetsim
