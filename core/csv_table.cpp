#include "core/csv_table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "core/input_error.h"
#include "core/path_probe.h"
#include "core/text_scan.h"

namespace sparsesim {

CsvTable::CsvTable(const std::string& path, const std::vector<std::string>& required_columns,
                   const std::vector<std::string>& optional_columns)
    : path_(path) {
  if (is_directory_path(path)) throw InputError(path, 0, "", "is a directory, expected a CSV file");
  std::ifstream file(path);
  if (!file) throw InputError(path, 0, "", "cannot open file");
  std::string line;
  std::int64_t line_number = 0;
  std::vector<std::string_view> fields;
  bool have_header = false;
  while (std::getline(file, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim_blanks(line).empty() || line.front() == '#') continue;  // blank lines and comments
    if (!split_csv_line(line, ',', fields)) throw InputError(path, line_number, "", "unterminated quote");
    if (!have_header) {
      have_header = true;
      for (const auto& name : required_columns) {
        const auto found = std::find_if(fields.begin(), fields.end(),
                                        [&](std::string_view field) { return trim_blanks(field) == name; });
        if (found == fields.end())
          throw InputError(path, line_number, name,
                           "header lacks this column (expected columns: " + join(required_columns) + ")");
        columns_.push_back(static_cast<std::size_t>(found - fields.begin()));
      }
      required_count_ = columns_.size();
      for (const auto& name : optional_columns) {
        const auto found = std::find_if(fields.begin(), fields.end(),
                                        [&](std::string_view field) { return trim_blanks(field) == name; });
        columns_.push_back(found == fields.end() ? kAbsent
                                                 : static_cast<std::size_t>(found - fields.begin()));
      }
      header_width_ = fields.size();
      continue;
    }
    if (fields.size() != header_width_)
      throw InputError(path, line_number, "",
                       "expected " + std::to_string(header_width_) + " fields as in the header, got " +
                           std::to_string(fields.size()) + " (quote fields that contain commas)");
    Row row;
    row.line = line_number;
    for (const std::size_t column : columns_)
      row.cells.emplace_back(column == kAbsent ? std::string_view("*") : trim_blanks(fields[column]));
    rows_.push_back(std::move(row));
  }
  if (!have_header) throw InputError(path, 0, "", "empty file: expected a header line");
}

std::string CsvTable::join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

double csv_number(const CsvTable& table, const CsvTable::Row& row, std::size_t column, const char* field,
                  double low, double high, bool high_inclusive, const char* expected) {
  const std::string& text = row.cells[column];
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool parsed = !text.empty() && result.ec == std::errc() && result.ptr == text.data() + text.size();
  if (!parsed || !std::isfinite(value) || value < low || (high_inclusive ? value > high : value >= high))
    throw InputError(table.path(), row.line, field,
                     std::string("expected ") + expected + ", got '" + text + "'");
  return value;
}

}  // namespace sparsesim
