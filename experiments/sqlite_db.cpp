#include "experiments/sqlite_db.h"

#include <sqlite3.h>

#include <stdexcept>

namespace sparsesim {

SqliteDb::SqliteDb(const std::string& path, bool create) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(path + ": cannot open database: " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
}

SqliteDb::~SqliteDb() {
  sqlite3_close(db_);
}

std::int64_t SqliteDb::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

void SqliteDb::fail(const std::string& what) const {
  throw std::runtime_error(path_ + ": " + what + ": " + sqlite3_errmsg(db_));
}

void SqliteDb::execute(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(path_ + ": SQL failed (" + message + "): " + sql.substr(0, 120));
  }
}

SqliteStatement::SqliteStatement(SqliteDb& db, const std::string& sql) : db_(db) {
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK)
    db_.fail("cannot prepare '" + sql.substr(0, 120) + "'");
}

SqliteStatement::~SqliteStatement() {
  sqlite3_finalize(statement_);
}

SqliteStatement& SqliteStatement::bind(int index, double value) {
  if (sqlite3_bind_double(statement_, index, value) != SQLITE_OK) db_.fail("bind");
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) db_.fail("bind");
  return *this;
}
SqliteStatement& SqliteStatement::bind(int index, const std::string& value) {
  if (sqlite3_bind_text(statement_, index, value.c_str(), static_cast<int>(value.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK)
    db_.fail("bind");
  return *this;
}
SqliteStatement& SqliteStatement::bind_null(int index) {
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) db_.fail("bind");
  return *this;
}

bool SqliteStatement::step() {
  const int status = sqlite3_step(statement_);
  if (status == SQLITE_ROW) return true;
  if (status == SQLITE_DONE) return false;
  db_.fail("step");
}

void SqliteStatement::execute() {
  while (step()) {
  }
  reset();
}

void SqliteStatement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  next_index_ = 0;
}

double SqliteStatement::column_double(int index) const {
  return sqlite3_column_double(statement_, index);
}
std::int64_t SqliteStatement::column_int(int index) const {
  return sqlite3_column_int64(statement_, index);
}
std::string SqliteStatement::column_text(int index) const {
  const auto* text = sqlite3_column_text(statement_, index);
  return text ? reinterpret_cast<const char*>(text) : "";
}
bool SqliteStatement::column_is_null(int index) const {
  return sqlite3_column_type(statement_, index) == SQLITE_NULL;
}
SqliteStatement::ColumnType SqliteStatement::column_type(int index) const {
  switch (sqlite3_column_type(statement_, index)) {
    case SQLITE_INTEGER:
      return ColumnType::integer;
    case SQLITE_FLOAT:
      return ColumnType::real;
    case SQLITE_TEXT:
      return ColumnType::text;
    case SQLITE_BLOB:
      return ColumnType::blob;
    default:
      return ColumnType::null;
  }
}

int SqliteStatement::column_count() const {
  return sqlite3_column_count(statement_);
}
std::string SqliteStatement::column_name(int index) const {
  return sqlite3_column_name(statement_, index);
}

SqliteTransaction::SqliteTransaction(SqliteDb& db) : db_(db) {
  db_.execute("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction() {
  if (done_) return;
  try {
    db_.execute("ROLLBACK");
  } catch (...) {  // a destructor must not throw; the database stays at its last commit
  }
}

void SqliteTransaction::commit() {
  db_.execute("COMMIT");
  done_ = true;
}

}  // namespace sparsesim
