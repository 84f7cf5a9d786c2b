// The chart libraries (Vega, Vega-Lite, vega-embed; see reports/vendor/README.md), compiled into
// the binary at build time so report.html can inline them and fleetsim needs no files at run time.
#pragma once

#include <string_view>
#include <vector>

namespace fleetsim {

struct VendorScript {
  std::string_view name;    // "vega", "vega-lite", "vega-embed"
  std::string_view source;  // minified JS, without its sourceMappingURL comment
};

// In load order: each library needs the ones before it.
const std::vector<VendorScript>& vendor_scripts();

}  // namespace fleetsim
