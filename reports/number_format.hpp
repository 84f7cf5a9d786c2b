// Human-readable numbers for the Markdown and HTML reports. Locale-independent, so a report
// reads the same on every machine; a missing value prints as an em dash.
#pragma once

#include <optional>
#include <string>

#include "sim/util/json_reader.hpp"

namespace fleetsim {

inline constexpr const char* kMissingValue = "\xE2\x80\x94";  // U+2014 em dash

std::string format_count(double value);                 // 1234567 -> "1,234,567"
std::string format_fixed(double value, int decimals);   // 12345.678, 1 -> "12,345.7"
std::string format_sig(double value, int significant);  // 0.012345, 3 -> "0.0123"
std::string format_compact(double value);               // 6.084e11 -> "608.4 B"
std::string format_usd(double value);                   // 12345.6 -> "$12,346"; 1.5 -> "$1.50"
std::string format_percent(double value_pct);           // 545.04 -> "545.0%"
std::string format_short(double value);                 // 3 significant, no trailing zeros: 0.1 -> "0.1", 24 -> "24"

// The same, passing a missing value through as kMissingValue.
std::string format_count(std::optional<double> value);
std::string format_sig(std::optional<double> value, int significant);
std::string format_compact(std::optional<double> value);
std::string format_usd(std::optional<double> value);
std::string format_percent(std::optional<double> value_pct);

// A table cell of unknown kind: strings verbatim, integers as counts, reals to 4 significant
// digits, null/NaN as kMissingValue.
std::string format_cell(const Json& value);

}  // namespace fleetsim
