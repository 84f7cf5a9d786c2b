// A Cartesian grid over scenario fields for `fleetsim sweep`: each axis is a dotted scenario path
// and its values (written like --set values); point i is one combination, in a fixed order.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sim/util/json_reader.hpp"

namespace fleetsim {

struct GridAxis {
  std::string path;                 // dotted scenario path, as for --set
  std::vector<std::string> values;  // each parsed like a --set value
};

// Parses "path=v1,v2,...". Commas inside brackets, braces or quotes do not split, so JSON values
// such as {"name":"fixed","params":{...}} can be grid values. Throws ConfigError on bad syntax.
GridAxis parse_grid_axis(const std::string& arg);

class Grid {
 public:
  Grid() = default;
  explicit Grid(std::vector<GridAxis> axes);

  const std::vector<GridAxis>& axes() const { return axes_; }
  // Number of points: the product of the axis sizes (1 for an empty grid: the base scenario).
  std::size_t size() const { return size_; }
  // The value index on each axis of point `point`; the last axis varies fastest (row-major).
  std::vector<std::size_t> coordinates(std::size_t point) const;
  // The --set overrides that make point `point` ("path=value", one per axis).
  std::vector<std::string> overrides(std::size_t point) const;
  // The grid values of point `point`, one per axis, as written.
  std::vector<std::string> values(std::size_t point) const;

 private:
  std::vector<GridAxis> axes_;
  std::size_t size_ = 1;
};

}  // namespace fleetsim
