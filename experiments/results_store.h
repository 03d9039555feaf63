#pragma once
// The SQLite results database: tables `runs` (one row per simulated run, with its config hash, policy,
// knob, seed and every per-run figure), `requests` (one row per request of each run) and `sweep_points`.
// Each run is written in one transaction, so an interrupted experiment leaves only whole runs behind.
#include <memory>
#include <string>
#include <vector>

#include "experiments/run_record.h"
#include "experiments/sqlite_db.h"

namespace sparsesim {

class ResultsStore {
 public:
  // Opens or creates the database; an existing file must carry this schema version (else InputError).
  // The writer holds an exclusive lock on the file (flock, released when the process ends, even by
  // kill -9): a second writer refuses at once with an InputError naming the process that holds it,
  // instead of redoing the work and failing on a duplicate key. Readers (report, export) never wait.
  explicit ResultsStore(const std::string& path);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  bool has_run(const std::string& config_hash);
  // run_id of the stored run with this config hash, or -1.
  std::int64_t find_run(const std::string& config_hash);
  // Stored runs with the same configuration and inputs as `input_hash` but another build identity.
  std::int64_t count_runs_of_other_builds(const std::string& input_hash, const std::string& build);
  // Writes the run and all its requests in one transaction; returns its run_id.
  std::int64_t write_run(const RunRecord& record);
  const std::string& path() const { return db_->path(); }
  SqliteDb& db() { return *db_; }

  // 2: build identity and grouping keys, joint-solve figures, capacity results and tuning tables.
  // 3: dense fallback counts; 4: requests_stored; 5: sweep_point; 6: the sweep_plan table; 7: gpus,
  // energy_j, mean_utilisation.
  static constexpr int kSchemaVersion = 7;

 private:
  std::unique_ptr<SqliteDb> db_;
  int lock_fd_ = -1;
};

// Opens an existing results database read-only-in-spirit (for report and export); InputError when the
// file is missing or is not a sparsesim results database.
std::unique_ptr<SqliteDb> open_results(const std::string& path);

}  // namespace sparsesim
