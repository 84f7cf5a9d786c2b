// Access to the chart libraries embedded by reports/cmake/embed_files.cmake.
#include "reports/vendor_scripts.hpp"

#include <cstddef>

namespace fleetsim::embedded {
// Defined in the generated vendor_blobs.cpp.
extern const unsigned char vega_min_js[];
extern const std::size_t vega_min_js_size;
extern const unsigned char vega_lite_min_js[];
extern const std::size_t vega_lite_min_js_size;
extern const unsigned char vega_embed_min_js[];
extern const std::size_t vega_embed_min_js_size;
}  // namespace fleetsim::embedded

namespace fleetsim {

namespace {

// The report is one file, so the source map the comment points to never exists beside it; a
// browser with developer tools open would otherwise try to fetch it.
std::string_view without_source_map(std::string_view source) {
  constexpr std::string_view kMarker = "//# sourceMappingURL=";
  const std::size_t at = source.rfind(kMarker);
  if (at == std::string_view::npos) return source;
  if (source.find('\n', at) != std::string_view::npos &&
      source.find_first_not_of(" \t\r\n", source.find('\n', at)) != std::string_view::npos) {
    return source;  // not the trailing comment
  }
  return source.substr(0, at);
}

std::string_view blob(const unsigned char* bytes, std::size_t size) {
  return without_source_map(std::string_view(reinterpret_cast<const char*>(bytes), size));
}

}  // namespace

const std::vector<VendorScript>& vendor_scripts() {
  static const std::vector<VendorScript> kScripts{
      {"vega", blob(embedded::vega_min_js, embedded::vega_min_js_size)},
      {"vega-lite", blob(embedded::vega_lite_min_js, embedded::vega_lite_min_js_size)},
      {"vega-embed", blob(embedded::vega_embed_min_js, embedded::vega_embed_min_js_size)}};
  return kScripts;
}

}  // namespace fleetsim
