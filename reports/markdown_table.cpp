// Aligned Markdown pipe tables.
#include "reports/markdown_table.hpp"

#include <algorithm>
#include <stdexcept>

namespace fleetsim {

namespace {

std::string escape_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// Display width in code points: UTF-8 continuation bytes take no column.
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

std::string pad(const std::string& text, std::size_t width, MarkdownTable::Align align) {
  const std::size_t used = display_width(text);
  const std::string fill(width > used ? width - used : 0, ' ');
  return align == MarkdownTable::Align::kRight ? fill + text : text + fill;
}

}  // namespace

void MarkdownTable::add_column(std::string header, Align align) {
  headers_.push_back(escape_cell(header));
  aligns_.push_back(align);
}

void MarkdownTable::add_row(std::vector<std::string> cells) {
  if (cells.size() != headers_.size()) {
    throw std::invalid_argument("MarkdownTable row has " + std::to_string(cells.size()) +
                                " cells for " + std::to_string(headers_.size()) + " columns");
  }
  for (std::string& cell : cells) cell = escape_cell(cell);
  rows_.push_back(std::move(cells));
}

std::string MarkdownTable::render() const {
  // GitHub needs at least three dashes in a delimiter cell.
  constexpr std::size_t kMinWidth = 3;
  std::vector<std::size_t> widths(headers_.size(), kMinWidth);
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    widths[c] = std::max(widths[c], display_width(headers_[c]));
    for (const auto& row : rows_) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  // Appends rather than operator+ chains: g++ 12 -O2 misreports those as -Wrestrict.
  std::string out;
  auto add_line = [&](const std::vector<std::string>& cells) {
    out += '|';
    for (std::size_t c = 0; c < cells.size(); ++c) {
      out += ' ';
      out += pad(cells[c], widths[c], aligns_[c]);
      out += " |";
    }
    out += '\n';
  };
  add_line(headers_);
  out += '|';
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    const bool right = aligns_[c] == Align::kRight;
    out += ' ';
    out.append(widths[c] - (right ? 1 : 0), '-');
    if (right) out += ':';
    out += " |";
  }
  out += '\n';
  for (const auto& row : rows_) add_line(row);
  return out;
}

}  // namespace fleetsim
