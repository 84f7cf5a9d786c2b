// Locale-independent number formatting for the human-facing reports.
#include "reports/number_format.hpp"

#include <array>
#include <cmath>
#include <cstdio>

namespace fleetsim {

namespace {

// Groups the integer digits of a plain "-1234.5" rendering in threes.
std::string group_thousands(const std::string& plain) {
  std::size_t start = plain.empty() || plain[0] != '-' ? 0 : 1;
  std::size_t end = plain.find('.');
  if (end == std::string::npos) end = plain.size();
  std::string out = plain.substr(0, start);
  for (std::size_t i = start; i < end; ++i) {
    out += plain[i];
    const std::size_t left = end - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  out += plain.substr(end);
  return out;
}

std::string printf_fixed(double value, int decimals) {
  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.*f", decimals, value);
  std::string text = buffer.data();
  if (text == "-0" || text.rfind("-0.", 0) == 0) {
    // "-0.0" from a tiny negative value reads as a sign error; print it unsigned.
    bool all_zero = true;
    for (char c : text.substr(1)) all_zero = all_zero && (c == '0' || c == '.');
    if (all_zero) text = text.substr(1);
  }
  return text;
}

constexpr int kMaxDecimals = 6;

// floor(log10(a)) for a > 0, clamped to [-7, 22], by comparison with the powers of ten as the
// compiler rounds them: a logarithm's last bit differs between C libraries, and a power of ten
// whose logarithm came out one bit low would floor to one less.
// The clamp loses nothing: past it the decimals are pinned at 0 or kMaxDecimals either way.
constexpr std::array<double, 30> kPowersOfTen{
    1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr int kLeastExponent = -7;
static_assert(kLeastExponent < -kMaxDecimals);

int decimal_exponent(double a) {
  int e = kLeastExponent;
  for (std::size_t i = 1; i < kPowersOfTen.size() && a >= kPowersOfTen[i]; ++i) ++e;
  return e;
}

}  // namespace

std::string format_fixed(double value, int decimals) {
  if (!std::isfinite(value)) return kMissingValue;
  return group_thousands(printf_fixed(value, decimals));
}

std::string format_count(double value) { return format_fixed(std::round(value), 0); }

std::string format_sig(double value, int significant) {
  if (!std::isfinite(value)) return kMissingValue;
  if (value == 0.0) return "0";
  const int magnitude = decimal_exponent(std::fabs(value));
  int decimals = significant - 1 - magnitude;
  if (decimals < 0) decimals = 0;
  if (decimals > kMaxDecimals) decimals = kMaxDecimals;
  return format_fixed(value, decimals);
}

std::string format_compact(double value) {
  if (!std::isfinite(value)) return kMissingValue;
  struct Scale {
    double factor;
    const char* suffix;
  };
  static constexpr std::array<Scale, 4> kScales{
      {{1e12, " T"}, {1e9, " B"}, {1e6, " M"}, {1e3, " K"}}};
  for (const Scale& scale : kScales) {
    if (std::fabs(value) >= scale.factor) {
      return format_sig(value / scale.factor, 4) + scale.suffix;
    }
  }
  return format_sig(value, 3);
}

std::string format_usd(double value) {
  if (!std::isfinite(value)) return kMissingValue;
  // Cents matter only on small amounts; on fleet-sized sums they are noise.
  constexpr double kCentsBelowUsd = 100.0;
  const std::string digits = format_fixed(std::fabs(value), std::fabs(value) < kCentsBelowUsd ? 2 : 0);
  return (value < 0 && digits != "0.00" && digits != "0" ? "-$" : "$") + digits;
}

std::string format_percent(double value_pct) {
  if (!std::isfinite(value_pct)) return kMissingValue;
  return format_fixed(value_pct, 1) + "%";
}

std::string format_count(std::optional<double> value) {
  return value ? format_count(*value) : kMissingValue;
}
std::string format_sig(std::optional<double> value, int significant) {
  return value ? format_sig(*value, significant) : kMissingValue;
}
std::string format_compact(std::optional<double> value) {
  return value ? format_compact(*value) : kMissingValue;
}
std::string format_usd(std::optional<double> value) {
  return value ? format_usd(*value) : kMissingValue;
}
std::string format_percent(std::optional<double> value_pct) {
  return value_pct ? format_percent(*value_pct) : kMissingValue;
}

std::string format_cell(const Json& value) {
  constexpr int kCellSignificantDigits = 4;
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return group_thousands(value.dump());  // exact past 2^53
  if (value.is_number_float()) return format_sig(value.get<double>(), kCellSignificantDigits);
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_null()) return kMissingValue;
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string format_short(double value) {
  std::string s = format_sig(value, 3);
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace fleetsim
