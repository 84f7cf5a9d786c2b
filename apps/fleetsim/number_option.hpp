// Floating-point command-line options read with strtod, so that a number typed on the command line
// is the same double on every machine.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace fleetsim::cli {

// cmd.add_option(name, target, description) for a double, converted by strtod (the nearest
// double). CLI11 converts through long double and then to double: two roundings that on x86-64,
// whose long double has 64 bits of mantissa, land one bit off the nearest double for 100 of
// 479,676 decimals in (0, 1) of up to seven digits tried (0.060533 among them), and where long
// double is wider or narrower land elsewhere: a run's inputs would depend on its machine.
CLI::Option* add_number_option(CLI::App& cmd, const std::string& name, double& target,
                               const std::string& description);

// Checks of a number option's text, read as add_number_option reads it. CLI11's own range checks
// let NaN through (every comparison with it is false) and describe themselves by the whole range
// of a double; these reject NaN and infinities and say what they want.
CLI::Validator positive_number();              // finite, > 0
CLI::Validator non_negative_number();          // finite, >= 0
CLI::Validator number_in(double lo, double hi);  // finite, in [lo, hi]
CLI::Validator integer_at_least(long lo);        // a whole number >= lo (each of a list's items)

}  // namespace fleetsim::cli
