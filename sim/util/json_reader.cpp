// Path-aware JSON access with ConfigError on every failed check.
#include "sim/util/json_reader.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

namespace fleetsim {

namespace {
std::string type_name(const Json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "an array";
  return "an object";
}
std::string escape_pointer(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}
}  // namespace

Json load_json_file(const std::string& path) {
  // A directory opens as an ifstream on Linux and fails only on the first read.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(path, "", "is a directory (expected a readable JSON file)");
  }
  std::ifstream in(path);
  if (!in) throw ConfigError(path, "", "cannot open the file (expected a readable JSON file)");
  try {
    return Json::parse(in, nullptr, true, /*ignore_comments=*/true);
  } catch (const Json::exception& e) {  // parse errors, and numbers beyond a double's range
    throw ConfigError(path, "", std::string("expected valid JSON: ") + e.what());
  }
}

std::string JsonReader::describe() const {
  std::string s = node_->dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return type_name(*node_) + " " + s;
}

void JsonReader::fail(const std::string& expected) const {
  throw ConfigError(file_, path_, "expected " + expected + ", got " + describe());
}

void JsonReader::fail_at(const std::string& key, const std::string& expected) const {
  throw ConfigError(file_, path_ + "/" + escape_pointer(key), "expected " + expected);
}

bool JsonReader::has(const std::string& key) const {
  return node_->is_object() && node_->contains(key);
}

JsonReader JsonReader::at(const std::string& key) const {
  if (!node_->is_object()) fail("an object");
  auto it = node_->find(key);
  if (it == node_->end())
    throw ConfigError(file_, path_ + "/" + escape_pointer(key), "missing required field");
  return JsonReader(*it, file_, path_ + "/" + escape_pointer(key));
}

std::optional<JsonReader> JsonReader::maybe(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return at(key);
}

JsonReader JsonReader::at(std::size_t index) const {
  if (!node_->is_array()) fail("an array");
  if (index >= node_->size())
    throw ConfigError(file_, path_ + "/" + std::to_string(index), "index out of range");
  return JsonReader((*node_)[index], file_, path_ + "/" + std::to_string(index));
}

std::size_t JsonReader::array_size() const {
  if (!node_->is_array()) fail("an array");
  return node_->size();
}

std::vector<std::string> JsonReader::keys() const {
  if (!node_->is_object()) fail("an object");
  std::vector<std::string> out;
  for (auto it = node_->begin(); it != node_->end(); ++it) out.push_back(it.key());
  return out;
}

double JsonReader::as_number() const {
  if (!node_->is_number()) fail("a number");
  return node_->get<double>();
}

std::int64_t JsonReader::as_int() const {
  if (node_->is_number_integer()) return node_->get<std::int64_t>();
  if (node_->is_number_float()) {
    const double d = node_->get<double>();
    if (d == static_cast<double>(static_cast<std::int64_t>(d))) return static_cast<std::int64_t>(d);
  }
  fail("an integer");
}

bool JsonReader::as_bool() const {
  if (!node_->is_boolean()) fail("a boolean (true or false)");
  return node_->get<bool>();
}

std::string JsonReader::as_string() const {
  if (!node_->is_string()) fail("a string");
  return node_->get<std::string>();
}

double JsonReader::positive(const std::string& key) const {
  auto r = at(key);
  const double v = r.as_number();
  if (!(v > 0)) r.fail("a number > 0");
  return v;
}

double JsonReader::non_negative(const std::string& key) const {
  auto r = at(key);
  const double v = r.as_number();
  if (!(v >= 0)) r.fail("a number >= 0");
  return v;
}

double JsonReader::number_in(const std::string& key, double lo, double hi) const {
  auto r = at(key);
  const double v = r.as_number();
  if (!(v >= lo && v <= hi)) {
    char range[64];
    std::snprintf(range, sizeof range, "a number in [%g, %g]", lo, hi);
    r.fail(range);
  }
  return v;
}

double JsonReader::fraction(const std::string& key) const {
  auto r = at(key);
  const double v = r.as_number();
  if (!(v >= 0 && v <= 1)) r.fail("a fraction in [0, 1]");
  return v;
}

std::int64_t JsonReader::positive_int(const std::string& key) const {
  auto r = at(key);
  if (!r.json().is_number()) r.fail("an integer > 0");
  const std::int64_t v = r.as_int();
  if (v <= 0) r.fail("an integer > 0");
  return v;
}

std::int64_t JsonReader::non_negative_int(const std::string& key) const {
  auto r = at(key);
  if (!r.json().is_number()) r.fail("an integer >= 0");
  const std::int64_t v = r.as_int();
  if (v < 0) r.fail("an integer >= 0");
  return v;
}

int JsonReader::positive_int32(const std::string& key) const {
  const std::int64_t v = positive_int(key);
  if (v > std::numeric_limits<int>::max()) at(key).fail("an integer in [1, 2147483647]");
  return static_cast<int>(v);
}

int JsonReader::non_negative_int32(const std::string& key) const {
  const std::int64_t v = non_negative_int(key);
  if (v > std::numeric_limits<int>::max()) at(key).fail("an integer in [0, 2147483647]");
  return static_cast<int>(v);
}

std::string JsonReader::one_of(const std::string& key,
                               std::initializer_list<const char*> allowed) const {
  auto r = at(key);
  const std::string v = r.as_string();
  std::string list;
  for (const char* a : allowed) {
    if (v == a) return v;
    list += list.empty() ? "" : ", ";
    list += a;
  }
  r.fail("one of: " + list);
}

std::vector<double> JsonReader::number_array(const std::string& key) const {
  auto r = at(key);
  std::vector<double> out(r.array_size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = r.at(i).as_number();
  return out;
}

double JsonReader::number_or(const std::string& key, double fallback) const {
  return has(key) ? number(key) : fallback;
}
std::int64_t JsonReader::int_or(const std::string& key, std::int64_t fallback) const {
  return has(key) ? integer(key) : fallback;
}
bool JsonReader::bool_or(const std::string& key, bool fallback) const {
  return has(key) ? boolean(key) : fallback;
}
std::string JsonReader::string_or(const std::string& key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

void JsonReader::only_keys(std::initializer_list<const char*> allowed) const {
  if (!node_->is_object()) fail("an object");
  std::set<std::string> ok(allowed.begin(), allowed.end());
  for (auto it = node_->begin(); it != node_->end(); ++it) {
    const std::string& k = it.key();
    if (k.rfind("_", 0) == 0 || k == "source" || k == "note" || k == "doc") continue;  // remarks
    if (!ok.count(k)) {
      std::string list;
      for (const auto& a : ok) list += (list.empty() ? "" : ", ") + a;
      throw ConfigError(file_, path_ + "/" + escape_pointer(k),
                        "unknown field (expected one of: " + list + ")");
    }
  }
}

Json parse_set_value(const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error&) {
    return Json(text);
  } catch (const Json::exception& e) {
    throw std::invalid_argument(std::string("expected a JSON value or a string: ") + e.what());
  }
}

void apply_override(Json& doc, const std::string& file, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(file, "", "--set expects path=value, got '" + assignment + "'");
  const std::string dotted = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  Json value;
  try {
    value = parse_set_value(text);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(file, "", "--set " + assignment + ": " + e.what());
  }
  Json* node = &doc;
  std::string pointer;
  std::stringstream ss(dotted);
  std::string part;
  std::vector<std::string> parts;
  while (std::getline(ss, part, '.')) parts.push_back(part);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    const bool last = i + 1 == parts.size();
    if (node->is_array()) {
      std::size_t idx = 0;
      try {
        idx = std::stoul(p);
      } catch (...) {
        throw ConfigError(file, pointer, "--set " + dotted + ": expected an array index, got '" + p + "'");
      }
      if (idx >= node->size())
        throw ConfigError(file, pointer + "/" + p, "--set " + dotted + ": index out of range");
      node = &(*node)[idx];
    } else if (node->is_object()) {
      if (!node->contains(p) && !last)
        throw ConfigError(file, pointer + "/" + p, "--set " + dotted + ": no such field");
      node = &(*node)[p];
    } else {
      throw ConfigError(file, pointer, "--set " + dotted + ": cannot descend into a scalar");
    }
    pointer += '/';
    pointer += escape_pointer(p);
  }
  *node = value;
}

}  // namespace fleetsim
