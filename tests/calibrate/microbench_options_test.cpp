// Command-line parsing of fleetsim_microbench.
#include <catch2/catch.hpp>

#include "calibrate/cuda/microbench_options.hpp"

using namespace fleetsim::microbench;

TEST_CASE("options parse") {
  const auto o = parse_options({"--out", "h200.json", "--quick", "--only", "mla_decode"});
  CHECK(o.out_path == "h200.json");
  CHECK(o.quick);
  REQUIRE(o.only.has_value());
  CHECK(*o.only == "mla_decode");
  CHECK_FALSE(o.self_test);
  CHECK(parse_options({"--self-test"}).self_test);
  CHECK(parse_options({"--help"}).help);
}

TEST_CASE("bad command lines are usage errors") {
  CHECK_THROWS_AS(parse_options({}), UsageError);
  CHECK_THROWS_AS(parse_options({"--out"}), UsageError);
  CHECK_THROWS_AS(parse_options({"--out", "x.json", "--only", "nope"}), UsageError);
  CHECK_THROWS_AS(parse_options({"--frobnicate"}), UsageError);
}

TEST_CASE("exit codes are distinct; 3 means no GPU (CTest SKIP_RETURN_CODE)") {
  CHECK(kExitNoGpu == 3);
  CHECK(kExitOk != kExitCheckFailed);
  CHECK(kExitUsage != kExitNoGpu);
}
