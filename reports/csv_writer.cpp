// CSV rendering of series tables.
#include "reports/csv_writer.hpp"

#include <cmath>

namespace fleetsim {

std::string csv_field(const std::string& text) {
  bool needs_quotes = text.find_first_of(",\"\r\n") != std::string::npos;
  if (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.back() == ' ' ||
                        text.back() == '\t')) {
    needs_quotes = true;  // spreadsheet importers trim unquoted edge whitespace
  }
  if (!needs_quotes) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string csv_field(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return csv_field(value.get<std::string>());
  if (value.is_number_float() && !std::isfinite(value.get<double>())) return "";
  if (value.is_number() || value.is_boolean()) return value.dump();
  return csv_field(value.dump(-1, ' ', false, Json::error_handler_t::replace));
}

std::string render_csv(const SeriesTable& table) {
  std::string out;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    if (c > 0) out += ',';
    out += csv_field(table.columns[c]);
  }
  out += '\n';
  for (const std::vector<Json>& row : table.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      out += csv_field(row[c]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace fleetsim
