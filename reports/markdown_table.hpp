// A pipe table padded to aligned columns, so report.md reads well both in a terminal and on GitHub.
#pragma once

#include <string>
#include <vector>

namespace fleetsim {

class MarkdownTable {
 public:
  enum class Align { kLeft, kRight };

  // Numeric columns are right-aligned so digits line up.
  void add_column(std::string header, Align align);
  void add_row(std::vector<std::string> cells);  // one cell per column; '|' is escaped
  bool empty() const { return rows_.empty(); }
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<Align> aligns_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace fleetsim
