// Grid axis parsing and point enumeration.
#include "sim/study/grid.hpp"

#include <set>
#include <stdexcept>

namespace fleetsim {

namespace {

[[noreturn]] void bad_axis(const std::string& arg, const std::string& why) {
  throw ConfigError("--grid", "", "expected path=v1,v2,... (" + why + "), got '" + arg + "'");
}

// Splits at commas outside quotes and brackets.
std::vector<std::string> split_top_level(const std::string& text, const std::string& arg) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\' && i + 1 < text.size()) {
        cur += c;
        cur += text[++i];
        continue;
      }
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (--depth < 0) bad_axis(arg, "unbalanced brackets");
    } else if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (in_string || depth != 0) bad_axis(arg, "unbalanced quotes or brackets");
  out.push_back(cur);
  return out;
}

}  // namespace

GridAxis parse_grid_axis(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) bad_axis(arg, "no path");
  GridAxis a;
  a.path = arg.substr(0, eq);
  a.values = split_top_level(arg.substr(eq + 1), arg);
  for (const auto& v : a.values) {
    if (v.empty()) bad_axis(arg, "an empty value");
    try {
      parse_set_value(v);
    } catch (const std::invalid_argument& e) {
      bad_axis(arg, "value '" + v + "': " + e.what());
    }
  }
  return a;
}

Grid::Grid(std::vector<GridAxis> axes) : axes_(std::move(axes)) {
  std::set<std::string> paths;
  for (const auto& a : axes_) {
    if (a.values.empty()) throw ConfigError("--grid", "", "axis " + a.path + " has no values");
    // A second axis on one path would override the first at every point, silently.
    if (!paths.insert(a.path).second)
      throw ConfigError("--grid", "", "expected each path on one axis, got " + a.path + " twice");
    size_ *= a.values.size();
  }
}

std::vector<std::size_t> Grid::coordinates(std::size_t point) const {
  if (point >= size_) throw std::out_of_range("grid point out of range");
  std::vector<std::size_t> c(axes_.size());
  for (std::size_t k = axes_.size(); k-- > 0;) {
    c[k] = point % axes_[k].values.size();
    point /= axes_[k].values.size();
  }
  return c;
}

std::vector<std::string> Grid::values(std::size_t point) const {
  const auto c = coordinates(point);
  std::vector<std::string> v;
  for (std::size_t k = 0; k < axes_.size(); ++k) v.push_back(axes_[k].values[c[k]]);
  return v;
}

std::vector<std::string> Grid::overrides(std::size_t point) const {
  const auto v = values(point);
  std::vector<std::string> o;
  for (std::size_t k = 0; k < axes_.size(); ++k) o.push_back(axes_[k].path + "=" + v[k]);
  return o;
}

}  // namespace fleetsim
