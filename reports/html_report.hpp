// report.html: the run report, one self-contained page (chart libraries, data and Vega-Lite specs
// inlined) that opens offline; see html_page.hpp for the page and its render status.
#pragma once

#include <string>

#include "reports/html_page.hpp"  // kHtmlStatusMarker
#include "reports/report_data.hpp"

namespace fleetsim {

std::string render_html(const ReportData& data);

}  // namespace fleetsim
