// Typed, path-aware access to a JSON document: every failed check throws a ConfigError that
// names the file, the JSON pointer of the value and the expected form. Spec loaders use only this.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/util/config_error.hpp"

namespace fleetsim {

using Json = nlohmann::json;

// Reads and parses a JSON file; a missing file or a syntax error becomes a ConfigError.
Json load_json_file(const std::string& path);

class JsonReader {
 public:
  JsonReader(const Json& node, std::string file, std::string path = "")
      : node_(&node), file_(std::move(file)), path_(std::move(path)) {}

  const Json& json() const { return *node_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  bool has(const std::string& key) const;

  // Child access: `at` requires the key; the object itself must be a JSON object.
  JsonReader at(const std::string& key) const;
  std::optional<JsonReader> maybe(const std::string& key) const;
  JsonReader at(std::size_t index) const;
  std::size_t array_size() const;                  // requires an array
  std::vector<std::string> keys() const;           // requires an object; sorted (std::map order)

  // Scalars at this node.
  double as_number() const;
  std::int64_t as_int() const;
  bool as_bool() const;
  std::string as_string() const;

  // Scalars of a child, with the usual checks. Every key is required unless a default is passed
  // through the *_or forms; defaults belong to declared schemas, not scattered call sites.
  double number(const std::string& key) const { return at(key).as_number(); }
  double positive(const std::string& key) const;      // > 0
  double non_negative(const std::string& key) const;  // >= 0
  double fraction(const std::string& key) const;      // in [0, 1]
  double number_in(const std::string& key, double lo, double hi) const;  // in [lo, hi]
  std::int64_t integer(const std::string& key) const { return at(key).as_int(); }
  std::int64_t positive_int(const std::string& key) const;
  std::int64_t non_negative_int(const std::string& key) const;
  int positive_int32(const std::string& key) const;      // the same, also <= INT_MAX
  int non_negative_int32(const std::string& key) const;
  bool boolean(const std::string& key) const { return at(key).as_bool(); }
  std::string string(const std::string& key) const { return at(key).as_string(); }
  std::string one_of(const std::string& key, std::initializer_list<const char*> allowed) const;
  std::vector<double> number_array(const std::string& key) const;

  double number_or(const std::string& key, double fallback) const;
  std::int64_t int_or(const std::string& key, std::int64_t fallback) const;
  bool bool_or(const std::string& key, bool fallback) const;
  std::string string_or(const std::string& key, const std::string& fallback) const;

  // Fails unless every key of the object is in `allowed` (catches typos such as "ep_degre").
  void only_keys(std::initializer_list<const char*> allowed) const;

  [[noreturn]] void fail(const std::string& expected) const;
  [[noreturn]] void fail_at(const std::string& key, const std::string& expected) const;

 private:
  std::string describe() const;  // short rendering of the value, for messages
  const Json* node_;
  std::string file_;
  std::string path_;
};

// Applies `--set a.b.c=value` overrides to a document. The value is parsed as JSON when it parses
// (numbers, true/false, arrays, quoted strings) and taken as a string otherwise.
// The path must name an existing field unless its parent is an object with that key missing.
// The value of a --set style text: JSON when it parses, the text as a string otherwise. Throws
// std::invalid_argument for JSON that parses but cannot be held (a number beyond a double's range).
Json parse_set_value(const std::string& text);

void apply_override(Json& doc, const std::string& file, const std::string& assignment);

}  // namespace fleetsim
