// Number formatting shared by the calibration reports (kernel fit, kernel comparison).
#pragma once

#include <cstdio>
#include <string>

namespace fleetsim::report_format {

inline std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

// A relative error as a signed percentage with one decimal ("+3.2%").
inline std::string pct(double x) { return fmt("%+.1f%%", 100 * x); }

}  // namespace fleetsim::report_format
