// Command-line parsing of fleetsim_microbench.
#include "calibrate/cuda/microbench_options.hpp"

#include "calibrate/cuda/bench_shapes.hpp"

namespace fleetsim::microbench {

MicrobenchOptions parse_options(const std::vector<std::string>& args) {
  MicrobenchOptions opt;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag) -> std::string {
      if (i + 1 >= args.size()) throw UsageError(flag + " needs a value");
      return args[++i];
    };
    if (a == "--out") {
      opt.out_path = value(a);
    } else if (a == "--quick") {
      opt.quick = true;
    } else if (a == "--only") {
      const std::string t = value(a);
      if (!is_table_name(t)) {
        std::string names;
        for (const auto& n : table_names()) names += (names.empty() ? "" : ", ") + n;
        throw UsageError("--only " + t + ": unknown table; expected one of: " + names);
      }
      opt.only = t;
    } else if (a == "--self-test") {
      opt.self_test = true;
    } else if (a == "--help" || a == "-h") {
      opt.help = true;
    } else {
      throw UsageError("unknown argument '" + a + "'");
    }
  }
  if (!opt.help && !opt.self_test && opt.out_path.empty())
    throw UsageError("--out FILE.json is required (or --self-test)");
  return opt;
}

std::string usage_text() {
  return "usage: fleetsim_microbench --out FILE.json [--quick] [--only TABLE]\n"
         "       fleetsim_microbench --self-test\n"
         "Times FP8/BF16 GEMMs, grouped GEMMs, MLA decode and prefill attention, HBM copy and\n"
         "elementwise operators on the current GPU, after checking each against a CPU\n"
         "reference, and writes a hardware-profile fragment (measured_on, kernel_benchmarks).\n"
         "Exit codes: 0 ok, 1 a correctness check failed (nothing written), 2 usage,\n"
         "3 no CUDA GPU present.\n";
}

}  // namespace fleetsim::microbench
