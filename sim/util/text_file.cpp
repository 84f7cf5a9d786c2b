// Checked file writes for every command's outputs.
#include "sim/util/text_file.hpp"

#include <filesystem>
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

void create_output_dir(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw std::runtime_error("cannot create " + dir + ": " + error.message());
}

void write_text_file_in(const std::string& dir, const std::string& name, std::string_view text) {
  write_text_file((std::filesystem::path(dir) / name).string(), text);
}

}  // namespace fleetsim
