// Writing the files a command produces: a failure to write is an error, never a silent loss.
#pragma once

#include <string>
#include <string_view>

namespace fleetsim {

// Writes `text` to `path` byte for byte (binary mode: the same bytes on every platform), replacing
// the file. Throws std::runtime_error naming the path when it cannot be opened or written.
void write_text_file(const std::string& path, std::string_view text);

}  // namespace fleetsim
