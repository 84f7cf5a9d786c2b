// CSV form of a SeriesTable (RFC 4180 quoting, LF line ends), one file per series.
#pragma once

#include <string>

#include "reports/report_data.hpp"

namespace fleetsim {

// One cell: numbers in shortest round-trip form, strings quoted only when they hold a comma,
// quote, CR/LF or edge whitespace; null and NaN/inf become an empty cell (a gap, not a zero);
// arrays and objects are written as quoted JSON.
std::string csv_field(const Json& value);
std::string csv_field(const std::string& text);

// Header line of column names, then one line per row; every line ends with '\n'.
std::string render_csv(const SeriesTable& table);

}  // namespace fleetsim
