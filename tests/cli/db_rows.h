#pragma once
// Shared by the CLI tests that read a results database directly: every row of a query, as text.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace sparsesim::testing {

// Every row of `query`, each column as text (integers and texts exactly, reals to 17 digits).
inline std::vector<std::vector<std::string>> rows_of(const std::filesystem::path& db_path,
                                                     const std::string& query) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, query.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  std::vector<std::vector<std::string>> rows;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int column = 0; column < sqlite3_column_count(statement); ++column) {
      if (sqlite3_column_type(statement, column) == SQLITE_FLOAT) {
        char text[40];
        std::snprintf(text, sizeof text, "%.17g", sqlite3_column_double(statement, column));
        row.emplace_back(text);
      } else {
        const auto* text = sqlite3_column_text(statement, column);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return rows;
}

}  // namespace sparsesim::testing
