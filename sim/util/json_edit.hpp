// Edits of JSON files that keep their text: replace (or append) one top-level member while
// every other byte stays as written (profiles carry hand-written layout and comments of sources).
#pragma once

#include <string>

#include "sim/util/json_reader.hpp"

namespace fleetsim {

// Returns `text` (a pretty-printed JSON object) with the top-level member `key` set to `value`:
// replaced in place when present, appended as the last member otherwise.
std::string replace_top_level_json_key(const std::string& text, const std::string& key,
                                       const Json& value);

}  // namespace fleetsim
