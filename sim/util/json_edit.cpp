// Text-preserving edit of a top-level JSON member (see json_edit.hpp).
#include "sim/util/json_edit.hpp"

#include <cctype>

namespace fleetsim {

std::string replace_top_level_json_key(const std::string& text, const std::string& key,
                                       const Json& value) {
  std::string body = value.dump(2);
  std::string indented;
  for (char c : body) {
    indented += c;
    if (c == '\n') indented += "  ";
  }
  const std::string quoted = "\"" + key + "\"";
  int depth = 0;
  bool in_str = false;
  // Skips a JSON value starting at `p`; returns one past its end.
  auto value_end = [&](std::size_t p) {
    int d = 0;
    bool s = false;
    for (std::size_t e = p; e < text.size(); ++e) {
      const char ch = text[e];
      if (s) {
        if (ch == '\\') ++e;
        else if (ch == '"') s = false;
        continue;
      }
      if (ch == '"') s = true;
      else if (ch == '{' || ch == '[') ++d;
      else if (ch == '}' || ch == ']') {
        if (d == 0) return e;
        if (--d == 0) return e + 1;
      } else if (ch == ',' && d == 0) {
        return e;
      }
    }
    return text.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_str) {
      if (c == '\\') ++i;
      else if (c == '"') in_str = false;
      continue;
    }
    if (c == '"') {
      if (depth == 1 && text.compare(i, quoted.size(), quoted) == 0) {
        std::size_t p = text.find(':', i + quoted.size()) + 1;
        while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
        return text.substr(0, p) + indented + text.substr(value_end(p));
      }
      in_str = true;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) {
        std::size_t q = i;
        while (q > 0 && std::isspace(static_cast<unsigned char>(text[q - 1]))) --q;
        return text.substr(0, q) + ",\n  " + quoted + ": " + indented + "\n" + text.substr(i);
      }
    }
  }
  return text;
}

}  // namespace fleetsim
