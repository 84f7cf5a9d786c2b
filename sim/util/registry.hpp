// Named registries of models and policies with their parameter schema declared once: parsing,
// validation, defaults, `fleetsim list-policies` and error messages all come from one entry.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/util/json_reader.hpp"

namespace fleetsim {

struct ParamDecl {
  std::string name;
  std::string type;  // "number", "non_negative", "positive", "integer", "fraction", "boolean", "string", "json"
  std::string unit;  // e.g. "s", "tok", "" when dimensionless
  Json default_value;
  std::string doc;
};

// Parameters of one selected entry, validated against its declarations, defaults filled in.
class Params {
 public:
  Params() = default;
  Params(Json values, std::string file, std::string path)
      : values_(std::move(values)), file_(std::move(file)), path_(std::move(path)) {}
  double number(const std::string& key) const { return values_.at(key).get<double>(); }
  std::int64_t integer(const std::string& key) const { return values_.at(key).get<std::int64_t>(); }
  bool boolean(const std::string& key) const { return values_.at(key).get<bool>(); }
  std::string string(const std::string& key) const { return values_.at(key).get<std::string>(); }
  const Json& json() const { return values_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  Json values_ = Json::object();
  std::string file_;
  std::string path_;
};

// Validates `given` (an object, possibly missing keys) against `decls`; throws ConfigError.
Params validate_params(const std::vector<ParamDecl>& decls, const JsonReader& given);

// One kind of pluggable thing (load balancers, cost models, ...). Product is the interface;
// Args are what the factory needs besides its parameters.
template <class Product, class... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Product>(const Params&, Args...)>;
  struct Entry {
    std::string name;
    std::string description;
    std::vector<ParamDecl> params;
    Factory make;
  };

  explicit Registry(std::string kind) : kind_(std::move(kind)) {}
  const std::string& kind() const { return kind_; }

  void add(Entry e) { entries_[e.name] = std::move(e); }
  bool contains(const std::string& name) const { return entries_.count(name) != 0; }
  const std::map<std::string, Entry>& entries() const { return entries_; }

  const Entry& lookup(const std::string& name, const JsonReader& where) const {
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      std::string list;
      for (const auto& [n, e] : entries_) list += (list.empty() ? "" : ", ") + n;
      throw ConfigError(where.file(), where.path(),
                        "unknown " + kind_ + " '" + name + "' (expected one of: " + list + ")");
    }
    return it->second;
  }

  // `spec` is either a string (the name, default parameters) or {"name": ..., "params": {...}}.
  std::pair<const Entry*, Params> resolve(const JsonReader& spec) const {
    if (spec.json().is_string()) {
      const Entry& e = lookup(spec.as_string(), spec);
      static const Json empty = Json::object();
      return {&e, validate_params(e.params, JsonReader(empty, spec.file(), spec.path() + "/params"))};
    }
    spec.only_keys({"name", "params"});
    const Entry& e = lookup(spec.string("name"), spec.at("name"));
    if (auto p = spec.maybe("params")) return {&e, validate_params(e.params, *p)};
    static const Json empty = Json::object();
    return {&e, validate_params(e.params, JsonReader(empty, spec.file(), spec.path() + "/params"))};
  }

  std::unique_ptr<Product> create(const JsonReader& spec, Args... args) const {
    auto [entry, params] = resolve(spec);
    return entry->make(params, std::forward<Args>(args)...);
  }

 private:
  std::string kind_;
  std::map<std::string, Entry> entries_;
};

}  // namespace fleetsim
