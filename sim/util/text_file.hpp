// Writing the files a command produces: a failure to write is an error, never a silent loss.
#pragma once

#include <string>
#include <string_view>

namespace fleetsim {

// Writes `text` to `path` byte for byte (binary mode: the same bytes on every platform), replacing
// the file. Throws std::runtime_error naming the path when it cannot be opened or written.
void write_text_file(const std::string& path, std::string_view text);

// Creates an output directory and its parents if missing; std::runtime_error naming it if it
// cannot be created.
void create_output_dir(const std::string& dir);
// write_text_file of dir/name.
void write_text_file_in(const std::string& dir, const std::string& name, std::string_view text);

}  // namespace fleetsim
