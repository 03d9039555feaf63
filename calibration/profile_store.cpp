#include "calibration/profile_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "core/input_error.h"
#include "core/path_probe.h"

namespace sparsesim {

const OpFit* Profile::fit(KernelOp op) const {
  for (const auto& f : fits)
    if (f.op == op) return &f;
  return nullptr;
}

namespace {

int first_block_tokens(const Profile& profile, bool prefill) {
  for (const auto& m : profile.measurements) {
    const bool is_prefill = m.kernel_case.op == KernelOp::kPrefillAttention;
    const bool is_decode = m.kernel_case.op != KernelOp::kGemm && !is_prefill;
    if (prefill ? is_prefill : is_decode) return m.kernel_case.block_tokens;
  }
  return 0;
}

// Owns a connection; closes it on scope exit.
class Database {
 public:
  Database(const std::string& path, int flags) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw InputError(path + ": cannot open as an SQLite profile (" + message + ")");
    }
  }
  ~Database() { sqlite3_close(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }
  void exec(const std::string& sql) const {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      throw std::runtime_error(path_ + ": SQLite failed (" + message + ") running: " + sql.substr(0, 60));
    }
  }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// A prepared statement; `prepare_failed` says what the error means for the caller.
class Statement {
 public:
  Statement(const Database& db, const std::string& sql, bool input_error) : db_(db) {
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK) {
      const std::string message = sqlite3_errmsg(db.get());
      if (input_error) throw InputError(db.path() + ": not a valid sparsesim profile (" + message + ")");
      throw std::runtime_error(db.path() + ": SQLite failed (" + message + ")");
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& bind(int index, double value) { return check(sqlite3_bind_double(statement_, index, value)); }
  Statement& bind(int index, std::int64_t value) {
    return check(sqlite3_bind_int64(statement_, index, value));
  }
  Statement& bind(int index, int value) { return check(sqlite3_bind_int64(statement_, index, value)); }
  Statement& bind(int index, const std::string& value) {
    return check(sqlite3_bind_text(statement_, index, value.c_str(), -1, SQLITE_TRANSIENT));
  }
  // True while a row is available.
  bool step() {
    const int status = sqlite3_step(statement_);
    if (status == SQLITE_ROW) return true;
    if (status == SQLITE_DONE) return false;
    throw InputError(db_.path() + ": reading the profile failed (" + sqlite3_errmsg(db_.get()) + ")");
  }
  void run_and_reset() {
    if (sqlite3_step(statement_) != SQLITE_DONE)
      throw std::runtime_error(db_.path() + ": SQLite write failed (" + sqlite3_errmsg(db_.get()) + ")");
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  double real(int column) const { return sqlite3_column_double(statement_, column); }
  // Stored as an INTEGER or REAL (not text, blob or NULL, which real() would read as 0).
  bool is_number(int column) const {
    const int type = sqlite3_column_type(statement_, column);
    return type == SQLITE_INTEGER || type == SQLITE_FLOAT;
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }
  std::string text(int column) const {
    const auto* value = sqlite3_column_text(statement_, column);
    return value ? reinterpret_cast<const char*>(value) : "";
  }

 private:
  Statement& check(int status) {
    if (status != SQLITE_OK) throw std::runtime_error(db_.path() + ": SQLite bind failed");
    return *this;
  }
  const Database& db_;
  sqlite3_stmt* statement_ = nullptr;
};

constexpr const char* kSchema = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE device (name TEXT NOT NULL, backend TEXT NOT NULL, device_index INTEGER, sm_count INTEGER,
  memory_bytes INTEGER, l2_bytes INTEGER, sm_clock_mhz INTEGER, memory_clock_mhz INTEGER,
  driver_version TEXT, compute_capability TEXT);
CREATE TABLE measurements (id INTEGER PRIMARY KEY, op TEXT NOT NULL, batch INTEGER, query_heads INTEGER,
  kv_heads INTEGER, head_dim INTEGER, seq_tokens INTEGER, density REAL, block_tokens INTEGER,
  gemm_m INTEGER, gemm_n INTEGER, gemm_k INTEGER, seed INTEGER, median_ns REAL NOT NULL, p10_ns REAL,
  p90_ns REAL, kept INTEGER, rejected INTEGER, converged INTEGER);
CREATE TABLE coefficients (op TEXT NOT NULL, term_index INTEGER NOT NULL, term TEXT NOT NULL,
  value REAL NOT NULL, PRIMARY KEY (op, term_index));
CREATE TABLE fit_errors (op TEXT NOT NULL, slice TEXT NOT NULL, train_points INTEGER, test_points INTEGER,
  median_relative_error REAL, p95_relative_error REAL, PRIMARY KEY (op, slice));
)sql";

}  // namespace

int Profile::prefill_block_tokens() const {
  return first_block_tokens(*this, true);
}
int Profile::decode_page_tokens() const {
  return first_block_tokens(*this, false);
}

void write_profile(const Profile& profile, const std::string& path) {
  const std::string temporary = path + ".writing";
  std::filesystem::remove(temporary);
  {
    Database db(temporary, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("BEGIN");
    db.exec(kSchema);
    Statement meta(db, "INSERT INTO meta VALUES (?, ?)", false);
    const std::map<std::string, std::string> entries = {
        {"format", kProfileFormat},
        {"format_version", std::to_string(kProfileFormatVersion)},
        {"grid", profile.grid},
        {"model", profile.model},
        {"seed", std::to_string(profile.seed)}};
    for (const auto& [key, value] : entries) {
      meta.bind(1, key).bind(2, value);
      meta.run_and_reset();
    }
    const DeviceDescription& d = profile.device;
    Statement device(db, "INSERT INTO device VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", false);
    device.bind(1, d.name).bind(2, d.backend).bind(3, d.device_index).bind(4, d.sm_count);
    device.bind(5, d.memory_bytes).bind(6, d.l2_bytes).bind(7, d.sm_clock_mhz).bind(8, d.memory_clock_mhz);
    device.bind(9, d.driver_version).bind(10, d.compute_capability);
    device.run_and_reset();

    Statement measurement(db,
                          "INSERT INTO measurements (op, batch, query_heads, kv_heads, head_dim, seq_tokens, "
                          "density, block_tokens, gemm_m, gemm_n, gemm_k, seed, median_ns, p10_ns, p90_ns, "
                          "kept, rejected, converged) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                          false);
    for (const auto& m : profile.measurements) {
      const KernelCase& kc = m.kernel_case;
      measurement.bind(1, std::string(kernel_op_name(kc.op))).bind(2, kc.batch).bind(3, kc.query_heads);
      measurement.bind(4, kc.kv_heads).bind(5, kc.head_dim).bind(6, kc.seq_tokens).bind(7, kc.density);
      measurement.bind(8, kc.block_tokens).bind(9, kc.gemm_m).bind(10, kc.gemm_n).bind(11, kc.gemm_k);
      measurement.bind(12, static_cast<std::int64_t>(kc.seed)).bind(13, m.samples.median_ns);
      measurement.bind(14, m.samples.p10_ns).bind(15, m.samples.p90_ns).bind(16, m.samples.kept);
      measurement.bind(17, m.samples.rejected).bind(18, m.samples.converged ? 1 : 0);
      measurement.run_and_reset();
    }
    Statement coefficient(db, "INSERT INTO coefficients VALUES (?, ?, ?, ?)", false);
    Statement error(db, "INSERT INTO fit_errors VALUES (?, ?, ?, ?, ?, ?)", false);
    for (const auto& fit : profile.fits) {
      const std::string op = kernel_op_name(fit.op);
      for (int term = 0; term < kCostTerms; ++term) {
        coefficient.bind(1, op).bind(2, term).bind(3, std::string(cost_term_names(fit.op)[term]));
        coefficient.bind(4, fit.coefficients[term]);
        coefficient.run_and_reset();
      }
      for (const auto& e : fit.errors) {
        error.bind(1, op).bind(2, e.slice).bind(3, e.train_points).bind(4, e.test_points);
        error.bind(5, e.median_relative_error).bind(6, e.p95_relative_error);
        error.run_and_reset();
      }
    }
    db.exec("COMMIT");
  }
  std::error_code rename_error;
  std::filesystem::rename(temporary, path, rename_error);
  if (rename_error)
    throw std::runtime_error(path + ": could not move the written profile into place (" +
                             rename_error.message() + ")");
}

// Plausibility of one op's fitted cost form on any GPU (or CPU) a profile can describe: a launch costs
// at most 1 ms; each per-work term implies a rate no faster than 10^18 FLOP/s or 10^15 B/s (far beyond any
// device) and no slower than 10^3 ns per FLOP or byte (10^6 ns per page); and at least one per-work term is
// positive, or the op would be free at any size (0 GPU-s, unbounded throughput).
void check_plausible(const OpFit& fit, const std::string& path) {
  const auto& names = cost_term_names(fit.op);
  bool any_work_term = false;
  for (int term = 0; term < kCostTerms; ++term) {
    const std::string name = names[term];
    const double value = fit.coefficients[term];
    double low = 0, high = 1e6;  // ns per unit
    if (name == "launch_ns") high = 1e6;
    if (name == "ns_per_flop") low = 1e-9, high = 1e3;
    if (name == "ns_per_byte") low = 1e-6, high = 1e3;
    const bool work = name != "launch_ns";
    if (value == 0) continue;
    if (value > high || (work && value < low)) {
      char text[96];
      std::snprintf(text, sizeof text, "%g; expected 0 or a value in [%g, %g]", value, low, high);
      throw InputError(path + ": coefficient " + kernel_op_name(fit.op) + "." + name + " is " + text +
                       " (ns per unit; outside anything a real device measures)");
    }
    any_work_term = any_work_term || work;
  }
  if (!any_work_term)
    throw InputError(path + ": op " + kernel_op_name(fit.op) +
                     " has no positive per-work coefficient: it would cost nothing however large the work; "
                     "recalibrate");
}

Profile read_profile(const std::string& path) {
  if (!path_exists(path)) throw InputError(path + ": profile file not found");
  Database db(path, SQLITE_OPEN_READONLY);
  Profile profile;
  std::map<std::string, std::string> meta;
  {
    Statement statement(db, "SELECT key, value FROM meta", true);
    while (statement.step()) meta[statement.text(0)] = statement.text(1);
  }
  if (meta["format"] != kProfileFormat)
    throw InputError(path + ": not a sparsesim profile (meta.format is '" + meta["format"] + "', expected '" +
                     kProfileFormat + "')");
  if (meta["format_version"] != std::to_string(kProfileFormatVersion))
    throw InputError(path + ": profile format version " + meta["format_version"] +
                     " is not supported (expected " + std::to_string(kProfileFormatVersion) +
                     "); recalibrate with this sparsesim");
  profile.grid = meta["grid"];
  profile.model = meta["model"];
  try {
    profile.seed = std::stoull(meta["seed"]);
  } catch (const std::exception&) {
    throw InputError(path + ": meta.seed is '" + meta["seed"] + "', expected an unsigned integer");
  }
  {
    Statement statement(db,
                        "SELECT name, backend, device_index, sm_count, memory_bytes, l2_bytes, sm_clock_mhz, "
                        "memory_clock_mhz, driver_version, compute_capability FROM device",
                        true);
    if (!statement.step()) throw InputError(path + ": table device is empty; expected one row");
    DeviceDescription& d = profile.device;
    d.name = statement.text(0);
    d.backend = statement.text(1);
    d.device_index = static_cast<int>(statement.integer(2));
    d.sm_count = static_cast<int>(statement.integer(3));
    d.memory_bytes = statement.integer(4);
    d.l2_bytes = statement.integer(5);
    d.sm_clock_mhz = static_cast<int>(statement.integer(6));
    d.memory_clock_mhz = static_cast<int>(statement.integer(7));
    d.driver_version = statement.text(8);
    d.compute_capability = statement.text(9);
  }
  {
    Statement statement(
        db,
        "SELECT id, op, batch, query_heads, kv_heads, head_dim, seq_tokens, density, block_tokens, "
        "gemm_m, gemm_n, gemm_k, seed, median_ns, p10_ns, p90_ns, kept, rejected, converged "
        "FROM measurements ORDER BY id",
        true);
    while (statement.step()) {
      Measurement m;
      KernelCase& kc = m.kernel_case;
      const std::string where = path + ": measurements row " + std::to_string(statement.integer(0)) + ", op";
      kc.op = parse_kernel_op(statement.text(1), where);
      kc.batch = static_cast<int>(statement.integer(2));
      kc.query_heads = static_cast<int>(statement.integer(3));
      kc.kv_heads = static_cast<int>(statement.integer(4));
      kc.head_dim = static_cast<int>(statement.integer(5));
      kc.seq_tokens = statement.integer(6);
      kc.density = statement.real(7);
      kc.block_tokens = static_cast<int>(statement.integer(8));
      kc.gemm_m = statement.integer(9);
      kc.gemm_n = statement.integer(10);
      kc.gemm_k = statement.integer(11);
      kc.seed = static_cast<std::uint64_t>(statement.integer(12));
      m.samples.median_ns = statement.real(13);
      m.samples.p10_ns = statement.real(14);
      m.samples.p90_ns = statement.real(15);
      m.samples.kept = static_cast<int>(statement.integer(16));
      m.samples.rejected = static_cast<int>(statement.integer(17));
      m.samples.converged = statement.integer(18) != 0;
      profile.measurements.push_back(m);
    }
  }
  {
    Statement statement(db, "SELECT op, term_index, term, value FROM coefficients ORDER BY op, term_index",
                        true);
    while (statement.step()) {
      const std::string where = path + ": coefficients row op";
      const KernelOp op = parse_kernel_op(statement.text(0), where);
      OpFit* fit = nullptr;
      for (auto& f : profile.fits)
        if (f.op == op) fit = &f;
      if (!fit) {
        profile.fits.push_back(OpFit{});
        fit = &profile.fits.back();
        fit->op = op;
      }
      const auto term = statement.integer(1);
      if (!statement.is_number(3))
        throw InputError(path + ": coefficient " + statement.text(0) + "." + statement.text(2) + " is '" +
                         statement.text(3) + "'; expected a number");
      const double value = statement.real(3);
      if (term < 0 || term >= kCostTerms || statement.text(2) != cost_term_names(op)[term])
        throw InputError(path + ": coefficients of " + statement.text(0) + ": term " + std::to_string(term) +
                         " '" + statement.text(2) + "' is not a term of this op's cost form (expected " +
                         (term >= 0 && term < kCostTerms ? cost_term_names(op)[term] : "index 0-2") + ")");
      if (!(std::isfinite(value) && value >= 0))
        throw InputError(path + ": coefficient " + statement.text(0) + "." + statement.text(2) + " is " +
                         std::to_string(value) + "; expected a finite non-negative number");
      fit->coefficients[term] = value;
    }
  }
  {
    Statement statement(
        db,
        "SELECT op, slice, train_points, test_points, median_relative_error, p95_relative_error "
        "FROM fit_errors ORDER BY rowid",
        true);
    while (statement.step()) {
      const KernelOp op = parse_kernel_op(statement.text(0), path + ": fit_errors row op");
      for (auto& fit : profile.fits)
        if (fit.op == op) {
          FitError e;
          e.slice = statement.text(1);
          e.train_points = static_cast<int>(statement.integer(2));
          e.test_points = static_cast<int>(statement.integer(3));
          e.median_relative_error = statement.real(4);
          e.p95_relative_error = statement.real(5);
          if (e.slice == "in_sample") fit.points = e.test_points;
          fit.errors.push_back(e);
        }
    }
  }
  for (const OpFit& fit : profile.fits) check_plausible(fit, path);
  // Keep fits in op order whatever the row order.
  std::sort(profile.fits.begin(), profile.fits.end(),
            [](const OpFit& a, const OpFit& b) { return static_cast<int>(a.op) < static_cast<int>(b.op); });
  return profile;
}

}  // namespace sparsesim
