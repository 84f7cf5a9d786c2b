// Writes a run's report files: one CSV per series, report.md and report.html.
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "reports/csv_writer.hpp"
#include "reports/html_report.hpp"
#include "reports/markdown_report.hpp"
#include "reports/report_data.hpp"

namespace fleetsim {

namespace {

// Binary mode: the bytes written are exactly the bytes rendered, on every platform.
void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("cannot open " + path.string() + " for writing");
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  if (!file) throw std::runtime_error("failed writing " + path.string());
}

}  // namespace

void write_reports(const ReportData& data, const std::string& out_dir) {
  check_report_data(data);
  const std::filesystem::path dir(out_dir);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw std::runtime_error("cannot create " + out_dir + ": " + error.message());
  for (const SeriesTable& table : data.tables) {
    write_file(dir / (table.name + ".csv"), render_csv(table));
  }
  write_file(dir / "report.md", render_markdown(data));
  write_file(dir / "report.html", render_html(data));
}

}  // namespace fleetsim
