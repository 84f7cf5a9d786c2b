// Floating-point command-line options read with strtod (see number_option.hpp).
#include "apps/fleetsim/number_option.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <sstream>

namespace fleetsim::cli {

CLI::Option* add_number_option(CLI::App& cmd, const std::string& name, double& target,
                               const std::string& description) {
  auto convert = [&target](const CLI::results_t& values) {
    if (values.size() != 1 || values[0].empty()) return false;
    char* end = nullptr;
    const double x = std::strtod(values[0].c_str(), &end);
    if (*end != '\0') return false;  // CLI11 then reports the value it could not convert
    target = x;
    return true;
  };
  CLI::Option* opt = cmd.add_option(name, convert, description, false,
                                    [&target] { return CLI::detail::to_string(target); });
  opt->type_name("FLOAT");
  opt->expected(1);
  return opt;
}

namespace {

// A validator accepting a finite number for which `ok` holds; `want` names the range.
CLI::Validator finite_number_where(std::function<bool(double)> ok, const std::string& want) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        char* end = nullptr;
        const double x = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(x) || !ok(x))
          return "expected " + want + ", got " + text;
        return "";
      },
      want);
}

std::string format_bound(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

}  // namespace

CLI::Validator positive_number() {
  return finite_number_where([](double x) { return x > 0; }, "a number > 0");
}

CLI::Validator non_negative_number() {
  return finite_number_where([](double x) { return x >= 0; }, "a number >= 0");
}

CLI::Validator number_in(double lo, double hi) {
  return finite_number_where([lo, hi](double x) { return x >= lo && x <= hi; },
                             "a number in [" + format_bound(lo) + ", " + format_bound(hi) + "]");
}

CLI::Validator integer_at_least(long lo) {
  const std::string want = "an integer >= " + std::to_string(lo);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long x = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || x < lo) return "expected " + want + ", got " + text;
        constexpr int kMax = std::numeric_limits<int>::max();
        if (errno == ERANGE || x > kMax)
          return "expected " + want + " and at most " + std::to_string(kMax) + ", got " + text;
        return "";
      },
      want);
}

}  // namespace fleetsim::cli
