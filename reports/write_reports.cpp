// Writes a run's report files: one CSV per series, report.md and report.html.

#include "reports/csv_writer.hpp"
#include "reports/html_report.hpp"
#include "reports/markdown_report.hpp"
#include "reports/report_data.hpp"
#include "sim/util/text_file.hpp"

namespace fleetsim {

void write_reports(const ReportData& data, const std::string& out_dir) {
  check_report_data(data);
  create_output_dir(out_dir);
  for (const SeriesTable& table : data.tables) write_text_file_in(out_dir, table.name + ".csv", render_csv(table));
  write_text_file_in(out_dir, "report.md", render_markdown(data));
  write_text_file_in(out_dir, "report.html", render_html(data));
}

}  // namespace fleetsim
