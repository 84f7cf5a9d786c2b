// Writes a run's report files: one CSV per series, report.md and report.html.
#include <filesystem>
#include <stdexcept>

#include "reports/csv_writer.hpp"
#include "reports/html_report.hpp"
#include "reports/markdown_report.hpp"
#include "reports/report_data.hpp"
#include "sim/util/text_file.hpp"

namespace fleetsim {

void write_reports(const ReportData& data, const std::string& out_dir) {
  check_report_data(data);
  const std::filesystem::path dir(out_dir);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw std::runtime_error("cannot create " + out_dir + ": " + error.message());
  for (const SeriesTable& table : data.tables) {
    write_text_file((dir / (table.name + ".csv")).string(), render_csv(table));
  }
  write_text_file((dir / "report.md").string(), render_markdown(data));
  write_text_file((dir / "report.html").string(), render_html(data));
}

}  // namespace fleetsim
