#include "experiments/results_store.h"

#include <cmath>
#include <limits>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/input_error.h"
#include "core/path_probe.h"
#include "experiments/sweep_plan.h"

namespace sparsesim {
namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
  run_id INTEGER PRIMARY KEY, experiment TEXT NOT NULL, config_hash TEXT NOT NULL UNIQUE,
  policy TEXT NOT NULL, policy_impl TEXT NOT NULL, knob_name TEXT, knob REAL, seed INTEGER, replication INTEGER,
  sweep_point TEXT, sweep_field TEXT, sweep_value REAL, replicas INTEGER, model TEXT,
  compute_metric TEXT, compute_target REAL, compute_achieved REAL, solver_status TEXT, solver_note TEXT,
  solver_iterations INTEGER,
  requests INTEGER, completed INTEGER, rejected INTEGER, preemptions INTEGER, escalations INTEGER,
  makespan_s REAL, throughput_rps REAL, throughput_output_tokens_per_s REAL,
  ttft_p50_s REAL, ttft_p90_s REAL, ttft_p99_s REAL, tpot_p50_ms REAL, tpot_p90_ms REAL, tpot_p99_ms REAL,
  e2e_p50_s REAL, e2e_p90_s REAL, e2e_p99_s REAL,
  gpu_busy_s REAL, attention_flops REAL, memory_bytes REAL, kv_peak_bytes REAL,
  mean_expected_quality REAL, slo_attainment REAL, meets_slo INTEGER,
  lookups_exact INTEGER, lookups_interpolated INTEGER, lookups_extrapolated INTEGER, events INTEGER,
  dense_fallback_prefills INTEGER, dense_fallback_decodes INTEGER, requests_stored INTEGER,
  prefix_hit_rate REAL, workflows INTEGER, workflow_e2e_p50_s REAL, workflow_e2e_p99_s REAL,
  cost_model TEXT, quality_model TEXT, warnings TEXT, resolved_config TEXT,
  group_hash TEXT NOT NULL, point_hash TEXT NOT NULL, input_hash TEXT NOT NULL, build_identity TEXT NOT NULL,
  purpose TEXT NOT NULL, tuned_parameters TEXT, solver_achieved_mean REAL, solver_tolerance REAL,
  range_min_compute REAL, range_max_compute REAL, window_quality_low REAL, window_quality_high REAL,
  queue_wait_first_quarter_s REAL, queue_wait_last_quarter_s REAL, gpus INTEGER, energy_j REAL,
  mean_utilisation REAL);
CREATE INDEX IF NOT EXISTS runs_by_input ON runs(input_hash);
CREATE INDEX IF NOT EXISTS runs_by_experiment ON runs(experiment, run_id);
CREATE TABLE IF NOT EXISTS capacity_results(
  experiment TEXT NOT NULL, point_hash TEXT NOT NULL, policy TEXT NOT NULL, build_identity TEXT NOT NULL,
  replicas INTEGER, gpu_hours REAL, mean_quality REAL, ttft_p99_s REAL, tpot_p99_ms REAL, knob_name TEXT,
  knob REAL, compute_metric TEXT, compute REAL, solver_status TEXT, why_not TEXT, slo_ttft_p99_s REAL,
  slo_tpot_p99_ms REAL, quality_floor REAL, min_replicas INTEGER, max_replicas INTEGER,
  gpu TEXT NOT NULL, tensor_parallel INTEGER NOT NULL, dollars REAL, energy_kwh REAL, completed INTEGER,
  cheapest INTEGER, note TEXT, cost TEXT, PRIMARY KEY(point_hash, policy, gpu, tensor_parallel));
CREATE TABLE IF NOT EXISTS tuning(
  tuning_hash TEXT PRIMARY KEY, experiment TEXT NOT NULL, policy TEXT NOT NULL, parameters TEXT NOT NULL,
  candidates TEXT NOT NULL, tuning_requests INTEGER, evaluation_requests INTEGER);
CREATE TABLE IF NOT EXISTS requests(
  run_id INTEGER NOT NULL REFERENCES runs(run_id), request_id INTEGER NOT NULL, replica INTEGER,
  status TEXT NOT NULL, reject_reason TEXT, task_family TEXT, input_tokens INTEGER, output_tokens INTEGER,
  arrival_s REAL, first_scheduled_s REAL, first_token_s REAL, finish_s REAL, ttft_s REAL, tpot_ms REAL, e2e_s REAL,
  preemptions INTEGER, prefill_sparsity REAL, decode_kv_budget_tokens INTEGER, escalated INTEGER,
  attention_flops REAL, gpu_time_s REAL, expected_quality REAL, prefill_retention REAL, decode_retention REAL,
  prefix_cached_tokens INTEGER, workflow_id INTEGER,
  PRIMARY KEY(run_id, request_id));
CREATE TABLE IF NOT EXISTS point_documents(
  point_hash TEXT PRIMARY KEY, experiment_source TEXT NOT NULL, document TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sweep_points(
  run_id INTEGER PRIMARY KEY REFERENCES runs(run_id), experiment TEXT, sweep_point TEXT, sweep_field TEXT,
  sweep_value REAL, policy TEXT, replication INTEGER);
)SQL";

// Who holds the flock on `path`: "pid N (command)" from /proc/locks, or "another process". Nothing is
// written into the database for this, so its bytes stay identical from run to run.
std::string lock_holder(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "another process";
  std::ifstream locks("/proc/locks");
  const std::string inode = ":" + std::to_string(static_cast<unsigned long long>(info.st_ino)) + " ";
  for (std::string line; std::getline(locks, line);) {
    if (line.find("FLOCK") == std::string::npos || line.find(inode) == std::string::npos) continue;
    std::istringstream fields(line);
    std::string number, kind, advisory, mode, pid;
    fields >> number >> kind >> advisory >> mode >> pid;
    std::ifstream comm("/proc/" + pid + "/comm");
    std::string command;
    std::getline(comm, command);
    return "pid " + pid + (command.empty() ? "" : " (" + command + ")");
  }
  return "another process";
}

}  // namespace

std::unique_ptr<SqliteDb> open_results(const std::string& path) {
  if (!path_exists(path)) throw InputError(path + ": results database not found");
  auto db = std::make_unique<SqliteDb>(path, false);
  try {
    SqliteStatement version(*db, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (!version.step()) throw InputError(path + ": not a sparsesim results database (no schema version)");
    if (version.column_text(0) != std::to_string(ResultsStore::kSchemaVersion))
      throw InputError(path + ": results database of schema version " + version.column_text(0) +
                       ", this build reads version " + std::to_string(ResultsStore::kSchemaVersion) +
                       " (its runs lack the build identity and grouping keys; write to a new database)");
  } catch (const std::runtime_error& error) {
    if (dynamic_cast<const InputError*>(&error)) throw;
    throw InputError(path + ": not a sparsesim results database (" + error.what() + ")");
  }
  return db;
}

ResultsStore::ResultsStore(const std::string& path) {
  const bool existed = path_exists(path);
  if (existed) {
    db_ = open_results(path);
  } else {
    if (const auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    db_ = std::make_unique<SqliteDb>(path, true);
  }
  lock_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock_fd_ < 0 || ::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const std::string holder = lock_holder(path);
    if (lock_fd_ >= 0) ::close(lock_fd_), lock_fd_ = -1;
    throw InputError(path + ": in use by another sparsesim run (" + holder +
                     "); wait for it to finish, or write to another database with --out");
  }
  // WAL would leave side files; a rollback journal keeps the database a single file and crash-consistent.
  db_->execute("PRAGMA journal_mode=DELETE; PRAGMA foreign_keys=ON;");
  SqliteTransaction transaction(*db_);
  db_->execute(kSchema);
  db_->execute(kSweepPlanSchema);
  db_->execute("INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '" +
               std::to_string(kSchemaVersion) + "')");
  transaction.commit();
}

ResultsStore::~ResultsStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

bool ResultsStore::has_run(const std::string& config_hash) {
  SqliteStatement query(*db_, "SELECT 1 FROM runs WHERE config_hash = ?");
  query.bind(1, config_hash);
  return query.step();
}

std::int64_t ResultsStore::find_run(const std::string& config_hash) {
  SqliteStatement query(*db_, "SELECT run_id FROM runs WHERE config_hash = ?");
  query << config_hash;
  return query.step() ? query.column_int(0) : -1;
}

std::int64_t ResultsStore::count_runs_of_other_builds(const std::string& input_hash,
                                                      const std::string& build) {
  SqliteStatement query(*db_, "SELECT COUNT(*) FROM runs WHERE input_hash = ? AND build_identity != ?");
  query << input_hash << build;
  query.step();
  return query.column_int(0);
}

std::int64_t ResultsStore::write_run(const RunRecord& record) {
  SqliteTransaction transaction(*db_);
  const RunSummary& s = record.result.summary;
  // Per-request rows: all, none, or every stride-th in arrival order (at most `sample`).
  const auto request_count = static_cast<std::int64_t>(record.result.requests.size());
  std::int64_t stride = 1, stored = request_count;
  if (record.request_storage.kind == RequestStorage::Kind::none) {
    stride = std::numeric_limits<std::int64_t>::max(), stored = 0;
  } else if (record.request_storage.kind == RequestStorage::Kind::sample &&
             request_count > record.request_storage.sample) {
    stride = (request_count + record.request_storage.sample - 1) / record.request_storage.sample;
    stored = (request_count + stride - 1) / stride;
  }
  SqliteStatement run(*db_,
                      R"SQL(INSERT INTO runs(experiment, config_hash, policy, policy_impl, knob_name, knob,
    seed, replication, sweep_point, sweep_field, sweep_value, replicas, model, compute_metric, compute_target, compute_achieved,
    solver_status, solver_note, solver_iterations, requests, completed, rejected, preemptions, escalations,
    makespan_s, throughput_rps, throughput_output_tokens_per_s, ttft_p50_s, ttft_p90_s, ttft_p99_s,
    tpot_p50_ms, tpot_p90_ms, tpot_p99_ms, e2e_p50_s, e2e_p90_s, e2e_p99_s, gpu_busy_s, attention_flops,
    memory_bytes, kv_peak_bytes, mean_expected_quality, slo_attainment, meets_slo, lookups_exact,
    lookups_interpolated, lookups_extrapolated, events, dense_fallback_prefills, dense_fallback_decodes, requests_stored,
    prefix_hit_rate, workflows, workflow_e2e_p50_s,
    workflow_e2e_p99_s, cost_model, quality_model, warnings, resolved_config, group_hash, point_hash, input_hash,
    build_identity, purpose, tuned_parameters, solver_achieved_mean, solver_tolerance, range_min_compute,
    range_max_compute, window_quality_low, window_quality_high, queue_wait_first_quarter_s,
    queue_wait_last_quarter_s, gpus, energy_j, mean_utilisation)
    VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,
           ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?))SQL");
  auto optional_text = [](const std::string& text) {
    return text.empty() ? std::nullopt : std::optional(text);
  };
  run << record.experiment << record.config_hash << record.policy_label << record.policy_impl
      << record.knob_name << record.knob << static_cast<std::int64_t>(record.seed) << record.replication
      << optional_text(record.sweep_point) << optional_text(record.sweep_field)
      << (record.sweep_field.empty() ? std::nullopt : std::optional(record.sweep_value)) << record.replicas
      << record.model << record.compute_metric << record.solver.target << record.solver.achieved
      << record.solver.status << record.solver.note << record.solver.iterations << s.requests << s.completed
      << s.rejected << s.preemptions << s.escalations << ns_to_seconds(s.makespan_ns)
      << s.throughput_requests_per_s << s.throughput_output_tokens_per_s;
  for (const Percentiles* p : {&s.ttft_s, &s.tpot_ms, &s.e2e_s}) run << p->p50 << p->p90 << p->p99;
  run << s.gpu_busy_s << s.attention_flops << s.memory_bytes << s.kv_peak_bytes << s.mean_expected_quality
      << record.slo_attainment << (record.meets_slo ? 1 : 0) << s.lookups_exact << s.lookups_interpolated
      << s.lookups_extrapolated << s.events << s.dense_fallback_prefills << s.dense_fallback_decodes << stored
      << s.prefix_hit_rate << s.workflows << s.workflow_e2e_s.p50 << s.workflow_e2e_s.p99 << record.cost_model
      << record.quality_model << record.warnings << record.resolved_config << record.group_hash
      << record.point_hash << record.input_hash << record.build_identity << record.purpose
      << optional_text(record.tuned_parameters) << record.solver.achieved_mean << record.solver.tolerance
      << record.solver.range_min_compute << record.solver.range_max_compute
      << record.solver.window_quality_low << record.solver.window_quality_high
      << record.queue_wait_first_quarter_s << record.queue_wait_last_quarter_s << record.gpus
      << (std::isnan(s.energy_j) ? std::nullopt : std::optional(s.energy_j))
      << (std::isnan(s.mean_utilisation) ? std::nullopt : std::optional(s.mean_utilisation));
  run.execute();
  const std::int64_t run_id = db_->last_insert_rowid();
  if (!record.experiment_document.empty()) {
    SqliteStatement document(*db_, "INSERT OR IGNORE INTO point_documents VALUES(?,?,?)");
    document << record.point_hash << record.experiment_source << record.experiment_document;
    document.execute();
  }

  SqliteStatement request(*db_, R"SQL(INSERT INTO requests(run_id, request_id, replica, status, reject_reason,
    task_family, input_tokens, output_tokens, arrival_s, first_scheduled_s, first_token_s, finish_s, ttft_s,
    tpot_ms, e2e_s, preemptions, prefill_sparsity, decode_kv_budget_tokens, escalated, attention_flops,
    gpu_time_s, expected_quality, prefill_retention, decode_retention, prefix_cached_tokens, workflow_id)
    VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?))SQL");
  for (std::size_t index = 0; index < record.result.requests.size(); ++index) {
    if (stored == 0 || static_cast<std::int64_t>(index) % stride != 0) continue;
    const RequestResult& r = record.result.requests[index];
    auto time_s = [](TimeNs ns) { return ns < 0 ? std::nullopt : std::optional(ns_to_seconds(ns)); };
    const bool done = r.status == RequestStatus::done;
    request << run_id << static_cast<std::int64_t>(r.request_id) << r.replica
            << std::string(done ? "done" : "rejected") << optional_text(r.reject_reason)
            << std::string(task_family_name(r.task_family)) << r.input_tokens << r.output_tokens
            << ns_to_seconds(r.arrival_ns) << time_s(r.first_scheduled_ns) << time_s(r.first_token_ns)
            << time_s(r.finish_ns) << time_s(r.ttft_ns)
            << (done ? std::optional(r.tpot_ns / 1e6) : std::nullopt) << time_s(r.e2e_ns) << r.preemptions
            << r.prefill_sparsity
            << (r.decode_kv_budget_tokens == Budget::kDenseKv ? std::nullopt
                                                              : std::optional(r.decode_kv_budget_tokens))
            << (r.escalated ? 1 : 0) << r.attention_flops << r.gpu_time_ns / 1e9 << r.quality.expected_quality
            << r.quality.prefill_retention << r.quality.decode_retention << r.prefix_cached_tokens
            << (r.workflow_id < 0 ? std::nullopt : std::optional(r.workflow_id));
    request.execute();
  }
  if (!record.sweep_point.empty()) {
    SqliteStatement point(*db_, "INSERT INTO sweep_points VALUES(?,?,?,?,?,?,?)");
    point << run_id << record.experiment << record.sweep_point << optional_text(record.sweep_field)
          << (record.sweep_field.empty() ? std::nullopt : std::optional(record.sweep_value))
          << record.policy_label << record.replication;
    point.execute();
  }
  transaction.commit();
  return run_id;
}

}  // namespace sparsesim
