// Report files written by the commands: a failure to write is an error, never a silent loss.
#include <fstream>
#include <stdexcept>

#include "apps/fleetsim/commands.hpp"

namespace fleetsim::cli {

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot open " + path + " for writing");
  out << text;
  if (!out) throw std::runtime_error("failed writing " + path);
}

}  // namespace fleetsim::cli
