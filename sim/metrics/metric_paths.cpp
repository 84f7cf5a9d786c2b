// Metric path lookup and summary flattening.
#include "sim/metrics/metric_paths.hpp"

#include <sstream>

namespace fleetsim {

namespace {
void flatten(const Json& j, const std::string& prefix, std::vector<std::pair<std::string, Json>>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
  } else if (j.is_number() || j.is_boolean()) {
    out.emplace_back(prefix, j);
  }
}
}  // namespace

bool is_result_section(const std::string& key) { return key != "sim" && key != "scenario"; }

Json result_part(const Json& summary) {
  Json out = Json::object();
  for (const auto& [k, v] : summary.items())
    if (is_result_section(k)) out[k] = v;
  return out;
}

std::vector<std::pair<std::string, Json>> flatten_metrics(const Json& summary) {
  std::vector<std::pair<std::string, Json>> out;
  flatten(result_part(summary), "", out);
  return out;
}

std::optional<double> metric_at(const Json& summary, const std::string& dotted) {
  const Json* node = &summary;
  std::stringstream ss(dotted);
  std::string part;
  while (std::getline(ss, part, '.')) {
    if (!node->is_object() || !node->contains(part)) return std::nullopt;
    node = &(*node)[part];
  }
  if (!node->is_number()) return std::nullopt;
  return node->get<double>();
}

}  // namespace fleetsim
