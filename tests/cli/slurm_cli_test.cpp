// `sparsesim slurm` on a real Slurm: a one-machine cluster (munged, slurmctld, slurmd; scripts/
// slurm-cluster) runs the shipped Mooncake sweep as a 4-task array and a dependent merge job; the merged
// database equals a local single-process run in every stored column but run ids. Then a shard killed
// mid-run: the merge job reports its points missing, and running `sparsesim slurm --submit` again runs
// only that shard and ends with the local run's database. Skipped (CTest status "skipped", with the
// reason) only where Slurm cannot start; sanitizer trees leave it to the Release tree.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.h"
#include "db_rows.h"

namespace sparsesim::testing {
namespace {

std::vector<std::vector<std::string>> runs_without_ids(const fs::path& db) {
  auto rows = rows_of(db, "SELECT * FROM runs ORDER BY config_hash");
  for (auto& row : rows) row.erase(row.begin());
  return rows;
}

// Runs stored in a database another process may be writing; -1 while it cannot be read.
int stored_runs(const fs::path& path) {
  if (!fs::exists(path)) return -1;
  sqlite3* db = nullptr;
  int count = -1;
  if (sqlite3_open_v2(path.string().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 200);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM runs", -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
      count = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return count;
}

std::string job_id_after(const std::string& output, const std::string& marker) {
  const auto at = output.find(marker);
  if (at == std::string::npos) return "";
  std::string id;
  for (auto i = at + marker.size(); i < output.size() && std::isdigit(static_cast<unsigned char>(output[i]));
       ++i)
    id += output[i];
  return id;
}

struct SlurmCluster {
  fs::path dir;
  std::string environment;  // SLURM_CONF=... PATH=...
  std::string skip_reason;
  explicit SlurmCluster(const fs::path& where) : dir(where) {
    const auto start = run_cli_program("scripts/slurm-cluster start " + dir.string(), dir.parent_path());
    if (start.exit_code != 0) {
      skip_reason = start.output;
      return;
    }
    environment = "SLURM_CONF=" + (dir / "slurm.conf").string() + " PATH=\"$PATH:/usr/sbin\"";
  }
  ~SlurmCluster() { run_cli_program("scripts/slurm-cluster stop " + dir.string(), dir.parent_path()); }
  bool running() const { return skip_reason.empty(); }

  static CommandResult run_cli_program(const std::string& command, const fs::path& log_dir) {
    const fs::path log = log_dir / "cluster-output.txt";
    const int status = std::system((command + " > '" + log.string() + "' 2>&1").c_str());
    return {WEXITSTATUS(status), read_bytes(log)};
  }

  // Polls squeue until none of `jobs` ("12,13") is pending or running; false after `seconds`.
  bool wait_for(const std::string& jobs, int seconds) const {
    for (int tick = 0; tick < seconds * 5; ++tick) {
      const auto queue = run_cli_program(environment + " squeue -h -o %i -j " + jobs, dir);
      if (queue.exit_code != 0 || queue.output.find_first_not_of(" \n") == std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }
};

// Runs `sparsesim slurm ... --submit` and waits for both jobs; returns its output.
std::string submit_and_wait(const SlurmCluster& cluster, const std::string& arguments, const fs::path& dir) {
  const auto submitted = run_cli("slurm " + arguments + " --submit", dir, cluster.environment);
  INFO(submitted.output);
  REQUIRE(submitted.exit_code == 0);
  const std::string array = job_id_after(submitted.output, "submitted array job ");
  const std::string merge = job_id_after(submitted.output, "submitted merge job ");
  REQUIRE(!merge.empty());
  REQUIRE(cluster.wait_for(array.empty() ? merge : array + "," + merge, 300));
  return submitted.output;
}

}  // namespace

TEST_CASE("a sweep run as a Slurm job array and merged equals the local run, also after a killed shard") {
#ifdef SPARSESIM_SANITIZED
  MESSAGE("[skipped] sanitizer build: the Release tree runs the Slurm test");
  return;
#endif
  const fs::path dir = test_dir("slurm");
  SlurmCluster cluster(dir / "cluster");
  if (!cluster.running()) {
    MESSAGE((std::string("[skipped] Slurm cannot start: ") + cluster.skip_reason));
    return;
  }
  const std::string shipped = fs::absolute("experiments/mooncake_sweep.yaml").string();
  const auto local =
      run_cli("run " + shipped + " --no-progress --threads 2 --out " + (dir / "local.db").string(), dir);
  REQUIRE(local.exit_code == 0);
  const auto expected = runs_without_ids(dir / "local.db");
  REQUIRE(expected.size() == 80);  // 20 points x (3 policies + the oracle bound)

  submit_and_wait(cluster, shipped + " --shards 4 --dir " + (dir / "job").string(), dir);
  const std::string merge_log = read_bytes(dir / "job" / "logs" / "merge.out");
  INFO(merge_log);
  CHECK(merge_log.find("20 of 20 sweep points complete") != std::string::npos);
  CHECK(runs_without_ids(dir / "job" / "mooncake_sweep.db") == expected);
  for (int shard = 0; shard < 4; ++shard)
    CHECK(stored_runs(dir / "job" / "shards" / ("shard-" + std::to_string(shard) + ".db")) > 0);

  // A heavier copy (3,000 requests a point), so that a shard is still running when it is killed.
  const fs::path heavy = dir / "heavy.yaml";
  {
    std::string text = read_bytes(shipped);
    const auto at = text.find("max_requests: 400");
    REQUIRE(at != std::string::npos);
    text.replace(at, 17, "max_requests: 3000");
    std::ofstream(heavy) << text;
  }
  REQUIRE(run_cli("run " + heavy.string() + " --no-progress --threads 2 --out " +
                      (dir / "heavy-local.db").string(),
                  dir)
              .exit_code == 0);
  const fs::path job = dir / "killed";
  const auto submitted =
      run_cli("slurm " + heavy.string() + " --shards 4 --dir " + job.string() + " --submit", dir,
              cluster.environment);
  INFO(submitted.output);
  REQUIRE(submitted.exit_code == 0);
  const std::string array = job_id_after(submitted.output, "submitted array job ");
  const std::string merge = job_id_after(submitted.output, "submitted merge job ");
  const fs::path victim = job / "shards" / "shard-1.db";
  int runs_at_kill = -1;
  for (int tick = 0; tick < 3000 && runs_at_kill < 1; ++tick) {
    runs_at_kill = stored_runs(victim);
    if (runs_at_kill < 1) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(runs_at_kill >= 1);
  REQUIRE(SlurmCluster::run_cli_program(cluster.environment + " scancel --signal=KILL --full " + array + "_1",
                                        dir)
              .exit_code == 0);
  REQUIRE(cluster.wait_for(array + "," + merge, 300));
  const int runs_after_kill = stored_runs(victim);
  CHECK(runs_after_kill < 20);  // killed mid-run: not all of its 5 points x 4 runs are there
  const std::string partial_log = read_bytes(job / "logs" / "merge.out");
  CHECK(partial_log.find("points missing") != std::string::npos);
  CHECK(partial_log.find("shard 1/4") != std::string::npos);

  const std::string again =
      submit_and_wait(cluster, heavy.string() + " --shards 4 --dir " + job.string(), dir);
  CHECK(again.find("1 shard to run, 3 already complete") != std::string::npos);
  CHECK(again.find("(tasks 1)") != std::string::npos);
  const std::string final_log = read_bytes(job / "logs" / "merge.out");
  INFO(final_log);
  CHECK(final_log.find("20 of 20 sweep points complete") != std::string::npos);
  CHECK(runs_without_ids(job / "mooncake_sweep.db") == runs_without_ids(dir / "heavy-local.db"));
}

}  // namespace sparsesim::testing
