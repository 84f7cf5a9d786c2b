// One self-contained fleetsim HTML page (the run report, the fleet plan): headline cards, sections
// of Vega-Lite charts and of tables, with the chart libraries and the charts' data inlined so it
// opens offline. After the charts render, the page writes its render status (each chart's data
// rows and marks, any console errors or warnings) into #fleetsim-status for automated checks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reports/chart_specs.hpp"
#include "reports/report_data.hpp"
#include "reports/report_sections.hpp"

namespace fleetsim {

// A table on the page; a wide one spans it.
struct PageTable {
  TextTable table;
  bool wide = false;
};

struct TableSection {
  std::string title;  // the section's heading and its anchor
  std::vector<PageTable> tables;
};

struct HtmlPage {
  std::string title;     // the page heading; also the window title
  std::string subtitle;  // one line under it; may be empty
  std::vector<HeadlineFigure> headline;
  std::vector<ChartSpec> charts;       // grouped under their sections, in order of first appearance
  std::vector<SeriesTable> data;       // the series the charts name (only those travel)
  std::vector<TableSection> sections;  // after the charts
  std::string footer;  // a sentence before the chart libraries' credits; may be empty
};

// Text safe inside HTML or XML content and quoted attribute values (& < > " ' escaped).
std::string escape_markup(std::string_view text);

// Throws std::invalid_argument for a chart whose series is not in page.data.
std::string render_page(const HtmlPage& page);

// The marker that starts #fleetsim-status's text once rendering has finished; JSON follows it.
inline constexpr const char* kHtmlStatusMarker = "FLEETSIM_REPORT_STATUS";

}  // namespace fleetsim
