// Floating-point command-line options read with strtod (see number_option.hpp).
#include "apps/fleetsim/number_option.hpp"

#include <cstdlib>

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

}  // namespace fleetsim::cli
