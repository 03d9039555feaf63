#pragma once
// A thin RAII wrapper over the SQLite C API: a connection, prepared statements with typed binds, and
// transactions that roll back unless committed. Errors throw std::runtime_error naming the database path.
#include <cstdint>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace sparsesim {

class SqliteDb;

class SqliteStatement {
 public:
  SqliteStatement(SqliteDb& db, const std::string& sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Binds are 1-based, as in SQLite.
  SqliteStatement& bind(int index, double value);
  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  SqliteStatement& bind(int index, const std::string& value);
  SqliteStatement& bind_null(int index);
  // Binds the next parameter in order (1, 2, ...); reset() starts again at 1. nullopt binds NULL.
  template <class T>
  SqliteStatement& operator<<(const T& value) {
    return bind(++next_index_, value);
  }
  SqliteStatement& operator<<(std::nullopt_t) { return bind_null(++next_index_); }
  template <class T>
  SqliteStatement& operator<<(const std::optional<T>& value) {
    return value ? bind(++next_index_, *value) : bind_null(++next_index_);
  }
  // Returns true while a row is available.
  bool step();
  // Runs to completion and resets for reuse.
  void execute();
  void reset();

  double column_double(int index) const;
  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;
  enum class ColumnType { integer, real, text, blob, null };
  ColumnType column_type(int index) const;
  int column_count() const;
  std::string column_name(int index) const;

 private:
  SqliteDb& db_;
  sqlite3_stmt* statement_ = nullptr;
  int next_index_ = 0;
};

class SqliteDb {
 public:
  // Opens (creating when `create`) the database at `path`.
  SqliteDb(const std::string& path, bool create);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void execute(const std::string& sql);
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }
  std::int64_t last_insert_rowid() const;
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// Begins on construction; rolls back in the destructor unless commit() was called.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db);
  ~SqliteTransaction();
  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace sparsesim
