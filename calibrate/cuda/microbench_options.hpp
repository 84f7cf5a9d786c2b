// Command line of fleetsim_microbench, parsed without touching the GPU so it is unit-tested.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fleetsim::microbench {

// Exit codes: the CTest wrapper marks the self-test skipped on kExitNoGpu.
constexpr int kExitOk = 0;
constexpr int kExitCheckFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNoGpu = 3;

struct MicrobenchOptions {
  std::string out_path;               // required unless self_test or help
  bool quick = false;
  std::optional<std::string> only;    // one table name from table_names()
  bool self_test = false;             // correctness checks only, no timing, no output file
  bool help = false;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// args excludes argv[0]. Throws UsageError naming the bad argument.
MicrobenchOptions parse_options(const std::vector<std::string>& args);
std::string usage_text();

}  // namespace fleetsim::microbench
