// A number typed on the command line is the nearest double to it (strtod's), not CLI11's reading
// through long double, whose second rounding depends on the machine's long double.
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "apps/fleetsim/number_option.hpp"

namespace {

// Parses `args` into a command with one number option "--x" (default 1.5); returns its value.
double parse_x(std::vector<std::string> args) {
  CLI::App app;
  double x = 1.5;
  fleetsim::cli::add_number_option(app, "--x", x, "a number")->capture_default_str();
  args.insert(args.begin(), "prog");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return x;
}

}  // namespace

TEST_CASE("number options are the nearest double to what was typed") {
  // On x86-64 CLI11's own reading of these lands one bit away from the nearest double.
  for (const char* text : {"0.060533", "0.002877", "0.079811", "0.1", "2.5e-3", "7"}) {
    INFO(text);
    CHECK(std::bit_cast<std::uint64_t>(parse_x({"--x", text})) ==
          std::bit_cast<std::uint64_t>(std::strtod(text, nullptr)));
  }
  CHECK(parse_x({}) == 1.5);
  CHECK(parse_x({"--x=-4"}) == -4.0);
}

TEST_CASE("a number option rejects what is not a number") {
  CHECK_THROWS_AS(parse_x({"--x", "abc"}), CLI::ConversionError);
  CHECK_THROWS_AS(parse_x({"--x", "1.5x"}), CLI::ConversionError);
  CHECK_THROWS_AS(parse_x({"--x", ""}), CLI::ConversionError);
}
