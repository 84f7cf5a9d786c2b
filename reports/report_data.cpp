// Lookups and contract checks over ReportData.
#include "reports/report_data.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

namespace fleetsim {

const SeriesTable* find_table(const ReportData& data, const std::string& name) {
  for (const SeriesTable& table : data.tables) {
    if (table.name == name) return &table;
  }
  return nullptr;
}

std::optional<std::size_t> column_index(const SeriesTable& table, const std::string& column) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i] == column) return i;
  }
  return std::nullopt;
}

namespace {

const Json* summary_node(const Json& summary, std::initializer_list<const char*> path) {
  const Json* node = &summary;
  for (const char* key : path) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

bool is_safe_file_stem(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<double> summary_number(const Json& summary,
                                     std::initializer_list<const char*> path) {
  const Json* node = summary_node(summary, path);
  if (node == nullptr || !node->is_number()) return std::nullopt;
  const double value = node->get<double>();
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::string> summary_string(const Json& summary,
                                          std::initializer_list<const char*> path) {
  const Json* node = summary_node(summary, path);
  if (node == nullptr) return std::nullopt;
  if (node->is_string()) return node->get<std::string>();
  if (node->is_number_integer()) return node->dump();
  return std::nullopt;
}

void check_report_data(const ReportData& data) {
  std::set<std::string> seen;
  for (const SeriesTable& table : data.tables) {
    if (!is_safe_file_stem(table.name)) {
      throw std::invalid_argument("report table name '" + table.name +
                                  "' must be a non-empty [A-Za-z0-9_-]+ file stem");
    }
    if (!seen.insert(table.name).second) {
      throw std::invalid_argument("report table '" + table.name + "' appears twice");
    }
    if (table.columns.empty()) {
      throw std::invalid_argument("report table '" + table.name + "' has no columns");
    }
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      if (table.rows[r].size() != table.columns.size()) {
        throw std::invalid_argument("report table '" + table.name + "' row " + std::to_string(r) +
                                    " has " + std::to_string(table.rows[r].size()) +
                                    " cells, expected " + std::to_string(table.columns.size()));
      }
    }
  }
}

}  // namespace fleetsim
