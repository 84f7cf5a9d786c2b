// Checked file writes for every command's outputs.
#include "sim/util/text_file.hpp"

#include <fstream>
#include <stdexcept>

namespace fleetsim {

void write_text_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot open " + path + " for writing");
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw std::runtime_error("failed writing " + path);
}

}  // namespace fleetsim
