// Markdown rendering of the report sections.
#include "reports/markdown_report.hpp"

#include "reports/markdown_table.hpp"
#include "reports/number_format.hpp"
#include "reports/report_sections.hpp"

namespace fleetsim {

namespace {

std::string bold_if_failed(const std::string& cell, RowStatus status) {
  return status == RowStatus::kFail && !cell.empty() ? "**" + cell + "**" : cell;
}

}  // namespace

std::string render_markdown_table(const TextTable& text) {
  MarkdownTable table;
  for (std::size_t c = 0; c < text.headers.size(); ++c) {
    table.add_column(text.headers[c],
                     text.numeric[c] ? MarkdownTable::Align::kRight : MarkdownTable::Align::kLeft);
  }
  for (std::size_t r = 0; r < text.rows.size(); ++r) {
    std::vector<std::string> cells = text.rows[r];
    const bool total = text.last_row_is_total && r + 1 == text.rows.size();
    for (std::string& cell : cells) {
      cell = total && !cell.empty() ? "**" + cell + "**" : bold_if_failed(cell, text.row_status[r]);
    }
    table.add_row(std::move(cells));
  }
  return table.render();
}

std::string render_markdown(const ReportData& data) {
  const std::string name = summary_string(data.summary, {"scenario", "name"}).value_or("");
  std::string out = "# fleetsim run report" + (name.empty() ? "" : ": " + name) + "\n\n";

  std::string scenario_line;
  if (auto seed = summary_string(data.summary, {"scenario", "seed"})) {
    scenario_line += "seed " + *seed;
  }
  if (auto scale = summary_number(data.summary, {"scenario", "scale"})) {
    scenario_line += std::string(scenario_line.empty() ? "" : ", ") + "scale " + format_sig(*scale, 4);
  }
  if (!scenario_line.empty()) out += "Scenario `" + name + "`, " + scenario_line + ".\n\n";

  const std::vector<HeadlineFigure> headline = build_headline(data);
  if (!headline.empty()) {
    out += "## Headline\n\n";
    MarkdownTable table;
    table.add_column("Figure", MarkdownTable::Align::kLeft);
    table.add_column("Value", MarkdownTable::Align::kRight);
    table.add_column("Detail", MarkdownTable::Align::kLeft);
    for (const HeadlineFigure& figure : headline) {
      table.add_row({figure.label, "**" + figure.value + "**", figure.detail});
    }
    out += table.render() + "\n";
  }

  for (const TextTable& text : build_text_tables(data)) {
    out += "## " + text.title + "\n\n";
    if (!text.note.empty()) out += text.note + "\n\n";
    out += render_markdown_table(text) + "\n";
  }

  if (!data.tables.empty()) {
    out += "## Files\n\n";
    MarkdownTable files;
    files.add_column("File", MarkdownTable::Align::kLeft);
    files.add_column("Series", MarkdownTable::Align::kLeft);
    files.add_column("Rows", MarkdownTable::Align::kRight);
    for (const SeriesTable& table : data.tables) {
      files.add_row({"`" + table.name + ".csv`", table.title,
                     format_count(static_cast<double>(table.rows.size()))});
    }
    out += files.render() + "\nCharts of every series: `report.html` (opens offline).\n";
  }
  return out;
}

}  // namespace fleetsim
