#pragma once
// A CSV file read row by row with columns found by header name, and range-checked numbers from it. Blank
// lines and lines starting with '#' are skipped; every row must have the header's field count. Errors are
// InputErrors naming the file, line and column.
#include <cstdint>
#include <string>
#include <vector>

namespace sparsesim {

class CsvTable {
 public:
  // Optional columns absent from the header read as "*" in every row, after the required ones.
  CsvTable(const std::string& path, const std::vector<std::string>& required_columns,
           const std::vector<std::string>& optional_columns = {});

  struct Row {
    std::int64_t line = 0;
    std::vector<std::string> cells;  // in the order of required_columns, then optional_columns
  };
  const std::vector<Row>& rows() const { return rows_; }
  const std::string& path() const { return path_; }
  // Whether optional column `index` (0-based among the optional ones) was in the header.
  bool has_optional(std::size_t index) const { return columns_[required_count_ + index] != kAbsent; }

  static std::string join(const std::vector<std::string>& names);

 private:
  std::string path_;
  static constexpr std::size_t kAbsent = static_cast<std::size_t>(-1);
  std::vector<std::size_t> columns_;
  std::size_t required_count_ = 0;
  std::size_t header_width_ = 0;
  std::vector<Row> rows_;
};

// The number in `row.cells[column]`, in [low, high] (or [low, high) when !high_inclusive); otherwise an
// InputError naming the file, line, `field` and `expected`.
double csv_number(const CsvTable& table, const CsvTable::Row& row, std::size_t column, const char* field,
                  double low, double high, bool high_inclusive, const char* expected);

}  // namespace sparsesim
