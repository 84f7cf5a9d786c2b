// The data contract between the simulation and the report writers: the run summary plus named
// series tables. The writers turn it into CSV files, report.md and a self-contained report.html.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/util/json_reader.hpp"

namespace fleetsim {

// One series, written as <name>.csv and drawn by the charts that know its name.
struct SeriesTable {
  std::string name;                     // file stem, [A-Za-z0-9_-]+: "timeline", "hourly", ...
  std::string title;                    // human title
  std::vector<std::string> columns;     // column names carrying their units: "t_h", "cost_usd"
  std::vector<std::vector<Json>> rows;  // numbers or strings; every row has columns.size() cells
};

struct ReportData {
  Json summary;                      // the content of summary.json; any key may be absent
  std::vector<SeriesTable> tables;   // written in this order
};

// Writes <name>.csv for every table, report.md and report.html into out_dir (created if needed).
// The same data always gives byte-identical files. Throws std::invalid_argument for a malformed
// table (bad or duplicate name, row width not matching the columns) and std::runtime_error when
// a file cannot be written.
void write_reports(const ReportData& data, const std::string& out_dir);

// Lookups shared by the writers; missing pieces come back empty rather than throwing, because
// every part of the report is optional.
const SeriesTable* find_table(const ReportData& data, const std::string& name);
std::optional<std::size_t> column_index(const SeriesTable& table, const std::string& column);
// A finite number at summary[path[0]][path[1]]...; nullopt when absent, not a number or NaN/inf.
std::optional<double> summary_number(const Json& summary, std::initializer_list<const char*> path);
std::optional<std::string> summary_string(const Json& summary,
                                          std::initializer_list<const char*> path);

// Throws std::invalid_argument naming the first table that breaks the contract above.
void check_report_data(const ReportData& data);

}  // namespace fleetsim
