// The human-readable content of a report, built once and rendered by both the Markdown and the
// HTML writers: headline figures and titled text tables with numbers already formatted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/report_data.hpp"

namespace fleetsim {

// One headline figure: "Peak nodes" / "278" / "avg 226.8 · min 172".
struct HeadlineFigure {
  std::string label;
  std::string value;
  std::string detail;  // may be empty
};

enum class RowStatus { kNone, kPass, kFail };

struct TextTable {
  std::string id;      // stable anchor: "latency", "hourly", ...
  std::string title;
  std::string note;    // one line under the title; may be empty
  std::vector<std::string> headers;
  std::vector<bool> numeric;  // per column: right-align
  std::vector<std::vector<std::string>> rows;
  std::vector<RowStatus> row_status;  // per row
  bool last_row_is_total = false;
  std::optional<std::size_t> status_column;  // drawn as each row's pass/fail pill in HTML
};

// Figures whose value is in the summary, in reading order; absent ones are left out.
std::vector<HeadlineFigure> build_headline(const ReportData& data);

// Non-empty sections in reading order: traffic, fleet & economics, throughput, latency, hourly,
// validation, rejections, simulation. Columns of a known table the report does not know
// are kept, formatted generically, so new series show up without a code change.
std::vector<TextTable> build_text_tables(const ReportData& data);

// "pass"/"ok"/"within..." read as kPass; "fail"/"out..." as kFail; anything else kNone.
RowStatus parse_row_status(const std::string& status);

}  // namespace fleetsim
