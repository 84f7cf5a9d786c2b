// Parameter validation for registry entries.
#include "sim/util/registry.hpp"

#include <set>

namespace fleetsim {

Params validate_params(const std::vector<ParamDecl>& decls, const JsonReader& given) {
  if (!given.json().is_object()) given.fail("an object of parameters");
  std::set<std::string> known;
  Json out = Json::object();
  for (const auto& d : decls) {
    known.insert(d.name);
    if (!given.has(d.name)) {
      if (d.default_value.is_null()) given.fail_at(d.name, "required parameter (" + d.doc + ")");
      out[d.name] = d.default_value;
      continue;
    }
    const JsonReader v = given.at(d.name);
    const std::string unit = d.unit.empty() ? "" : " in " + d.unit;
    if (d.type == "number") {
      out[d.name] = v.as_number();
    } else if (d.type == "non_negative") {
      if (!(v.as_number() >= 0)) v.fail("a number >= 0" + unit);
      out[d.name] = v.as_number();
    } else if (d.type == "positive") {
      if (!(v.as_number() > 0)) v.fail("a number > 0" + unit);
      out[d.name] = v.as_number();
    } else if (d.type == "integer") {
      out[d.name] = v.as_int();
    } else if (d.type == "fraction") {
      const double x = v.as_number();
      if (!(x >= 0 && x <= 1)) v.fail("a fraction in [0, 1]");
      out[d.name] = x;
    } else if (d.type == "boolean") {
      out[d.name] = v.as_bool();
    } else if (d.type == "string") {
      out[d.name] = v.as_string();
    } else {
      out[d.name] = v.json();  // structured parameter: the entry validates it itself
    }
  }
  for (const auto& k : given.keys()) {
    if (k.rfind("_", 0) == 0) continue;
    if (!known.count(k)) {
      std::string list;
      for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
      given.fail_at(k, "a known parameter (one of: " + (list.empty() ? "none" : list) + ")");
    }
  }
  return Params(std::move(out), given.file(), given.path());
}

}  // namespace fleetsim
