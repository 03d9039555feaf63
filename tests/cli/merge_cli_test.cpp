// `sparsesim merge`: shards of a sweep merged into one database equal a local run of the whole sweep in
// every stored column (run ids aside); merging is idempotent, reports the points no shard completed, and
// refuses shards of another experiment or another build before writing anything.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli_support.h"
#include "db_rows.h"

namespace sparsesim::testing {
namespace {

const char* kExperiment = R"(
name: merged
seed: 5
workload:
  trace: data/traces/mooncake/conversation_trace.jsonl
  max_requests: 120
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
quality: data/quality/sparse_frontier_prior.csv
policies: [dense, {impl: fixed, prefill_sparsity: 0.8, decode_sparsity: 0.8}]
results: {requests: {sample: 15}}
sweep: {grid: {cluster.replicas: [1, 2], workload.rate_multiplier: [1, 3]}}
)";

// Every column but run_id, rows keyed by config hash: what "the same database" means for results.
std::vector<std::vector<std::string>> runs_without_ids(const fs::path& db) {
  auto rows = rows_of(db, "SELECT * FROM runs ORDER BY config_hash");
  for (auto& row : rows) row.erase(row.begin());
  return rows;
}

std::vector<std::vector<std::string>> requests_by_run_key(const fs::path& db) {
  auto rows = rows_of(db,
                      "SELECT s.config_hash, r.* FROM requests r JOIN runs s ON s.run_id = r.run_id "
                      "ORDER BY s.config_hash, r.request_id");
  for (auto& row : rows) row.erase(row.begin() + 1);  // the run_id
  return rows;
}

std::vector<std::vector<std::string>> sweep_points_by_run_key(const fs::path& db) {
  auto rows = rows_of(db,
                      "SELECT s.config_hash, p.* FROM sweep_points p JOIN runs s ON s.run_id = p.run_id "
                      "ORDER BY s.config_hash");
  for (auto& row : rows) row.erase(row.begin() + 1);
  return rows;
}

void execute_sql(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.string().c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

struct ShardedSweep {
  fs::path dir, yaml;
  std::vector<std::string> shards;
};

ShardedSweep run_shards(const std::string& name, int count) {
  ShardedSweep sweep{test_dir(name), {}, {}};
  sweep.yaml = sweep.dir / "sweep.yaml";
  { std::ofstream(sweep.yaml) << kExperiment; }
  for (int shard = 0; shard < count; ++shard) {
    const fs::path db = sweep.dir / ("shard-" + std::to_string(shard) + ".db");
    const auto run =
        run_cli("run " + sweep.yaml.string() + " --no-progress --threads 1 --shard " + std::to_string(shard) +
                    "/" + std::to_string(count) + " --out " + db.string(),
                sweep.dir);
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    sweep.shards.push_back(db.string());
  }
  return sweep;
}

std::string joined(const std::vector<std::string>& paths, std::size_t skip = SIZE_MAX) {
  std::string text;
  for (std::size_t i = 0; i < paths.size(); ++i)
    if (i != skip) text += " " + paths[i];
  return text;
}

}  // namespace

TEST_CASE("merged shards equal a local run of the whole sweep, and merging again adds nothing") {
  const ShardedSweep sweep = run_shards("merge_equal", 3);
  const auto local = run_cli(
      "run " + sweep.yaml.string() + " --no-progress --out " + (sweep.dir / "local.db").string(), sweep.dir);
  REQUIRE(local.exit_code == 0);
  const fs::path merged = sweep.dir / "merged.db";
  const auto merge = run_cli("merge " + merged.string() + joined(sweep.shards), sweep.dir);
  INFO(merge.output);
  REQUIRE(merge.exit_code == 0);
  CHECK(merge.output.find("8 runs added, 0 already present") != std::string::npos);
  CHECK(merge.output.find("4 of 4 sweep points complete") != std::string::npos);
  const auto expected = runs_without_ids(sweep.dir / "local.db");
  REQUIRE(expected.size() == 8);  // 4 points x (dense, fixed)
  CHECK(runs_without_ids(merged) == expected);
  CHECK(requests_by_run_key(merged) == requests_by_run_key(sweep.dir / "local.db"));
  CHECK(requests_by_run_key(merged).size() == 8 * 15);
  CHECK(sweep_points_by_run_key(merged) == sweep_points_by_run_key(sweep.dir / "local.db"));

  const auto again = run_cli("merge " + merged.string() + joined(sweep.shards), sweep.dir);
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("0 runs added, 8 already present") != std::string::npos);
  CHECK(runs_without_ids(merged) == expected);
  CHECK(requests_by_run_key(merged).size() == 8 * 15);
  // The merged database reports exactly as the local one: points in plan order, not shard order.
  const auto report = run_cli("report --text " + merged.string(), sweep.dir);
  const auto local_report = run_cli("report --text " + (sweep.dir / "local.db").string(), sweep.dir);
  CHECK(report.exit_code == 0);
  CHECK(report.output == local_report.output);
}

TEST_CASE("a merge without one shard lists that shard's points and exits 3, merging the rest") {
  const ShardedSweep sweep = run_shards("merge_missing", 3);
  const fs::path merged = sweep.dir / "merged.db";
  const auto partial = run_cli("merge " + merged.string() + joined(sweep.shards, 1), sweep.dir);
  INFO(partial.output);
  CHECK(partial.exit_code == 3);
  CHECK(partial.output.find("points missing") != std::string::npos);
  CHECK(partial.output.find("shard 1/3") != std::string::npos);
  CHECK(partial.output.find("shard 0/3") == std::string::npos);
  const auto complete = run_cli("merge " + merged.string() + " " + sweep.shards[1], sweep.dir);
  CHECK(complete.exit_code == 0);
  CHECK(complete.output.find("4 of 4 sweep points complete") != std::string::npos);
  CHECK(runs_without_ids(merged).size() == 8);
}

TEST_CASE("merge refuses a shard of another experiment or another build, writing nothing") {
  const ShardedSweep sweep = run_shards("merge_refuse", 2);
  const fs::path other_seed = sweep.dir / "other-seed.db";
  REQUIRE(run_cli("run " + sweep.yaml.string() + " --no-progress --seed 6 --shard 1/2 --out " +
                      other_seed.string(),
                  sweep.dir)
              .exit_code == 0);
  const fs::path merged = sweep.dir / "merged.db";
  const auto mixed =
      run_cli("merge " + merged.string() + " " + sweep.shards[0] + " " + other_seed.string(), sweep.dir);
  INFO(mixed.output);
  CHECK(mixed.exit_code == 2);
  CHECK(mixed.output.find("a shard of another experiment") != std::string::npos);
  CHECK(!fs::exists(merged));

  execute_sql(sweep.shards[1],
              "UPDATE runs SET build_identity = '0.0.0+src.0000000000000000';"
              "UPDATE sweep_plan SET build_identity = '0.0.0+src.0000000000000000';");
  const auto other_build = run_cli("merge " + merged.string() + joined(sweep.shards), sweep.dir);
  INFO(other_build.output);
  CHECK(other_build.exit_code == 2);
  CHECK(other_build.output.find("another sparsesim build") != std::string::npos);
  CHECK(!fs::exists(merged));

  const auto self = run_cli("merge " + sweep.shards[0] + " " + sweep.shards[0], sweep.dir);
  CHECK(self.exit_code == 2);
  CHECK(self.output.find("is the output database") != std::string::npos);
  const auto absent = run_cli("merge " + merged.string() + " " + (sweep.dir / "nope.db").string(), sweep.dir);
  CHECK(absent.exit_code == 2);
  CHECK(absent.output.find("shard database not found") != std::string::npos);
}

TEST_CASE("sparsesim slurm writes the scripts without Slurm and leaves complete shards out of the array") {
  const ShardedSweep sweep = run_shards("slurm_scripts", 0);
  const fs::path job = sweep.dir / "job";
  const auto written =
      run_cli("slurm " + sweep.yaml.string() + " --shards 2 --dir " + job.string(), sweep.dir);
  INFO(written.output);
  REQUIRE(written.exit_code == 0);
  CHECK(written.output.find("4 sweep points in 2 shards; 2 shards to run, 0 already complete") !=
        std::string::npos);
  CHECK(written.output.find("sbatch --dependency=afterany:$jobid") != std::string::npos);
  CHECK(read_bytes(job / "array.sbatch").find("#SBATCH --array=0-1") != std::string::npos);
  // Run shard 1 as its array task would; then only shard 0 is left to run.
  REQUIRE(run_cli("run " + sweep.yaml.string() + " --no-progress --shard 1/2 --out " +
                      (job / "shards" / "shard-1.db").string(),
                  sweep.dir)
              .exit_code == 0);
  const auto again = run_cli("slurm " + sweep.yaml.string() + " --shards 2 --dir " + job.string(), sweep.dir);
  CHECK(again.output.find("1 shard to run, 1 already complete") != std::string::npos);
  CHECK(read_bytes(job / "array.sbatch").find("#SBATCH --array=0\n") != std::string::npos);
  const auto no_shards = run_cli("slurm " + sweep.yaml.string(), sweep.dir);
  CHECK(no_shards.exit_code == 2);
  CHECK(no_shards.output.find("--shards N is required") != std::string::npos);
  const auto spaced = run_cli(
      "slurm " + sweep.yaml.string() + " --shards 2 --dir '" + (sweep.dir / "a b").string() + "'", sweep.dir);
  CHECK(spaced.exit_code == 2);
  CHECK(spaced.output.find("cannot be written into #SBATCH lines") != std::string::npos);
}

}  // namespace sparsesim::testing
