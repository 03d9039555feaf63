// `sparsesim run --shard I/N`: the shards of a sweep, run separately, hold together exactly the runs of
// one local run of the whole sweep, with the same figures, each run in exactly one shard.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "cli_support.h"
#include "db_rows.h"

namespace sparsesim::testing {
namespace {

const char* kExperiment = R"(
name: sharded
seed: 3
workload:
  trace: data/traces/mooncake/conversation_trace.jsonl
  max_requests: 150
cluster: {gpu: H100-SXM, model: Qwen2.5-7B}
quality: data/quality/sparse_frontier_prior.csv
policies: [dense, {impl: fixed, prefill_sparsity: 0.8, decode_sparsity: 0.8}]
results: {requests: none}
sweep: {grid: {cluster.replicas: [1, 2], workload.rate_multiplier: [1, 2, 4]}}
)";

std::map<std::string, std::string> runs_by_key(const fs::path& db) {
  std::map<std::string, std::string> runs;
  for (const auto& row :
       rows_of(db,
               "SELECT config_hash, sweep_point, policy, completed, makespan_s, ttft_p99_s, "
               "tpot_p99_ms, mean_expected_quality, gpu_busy_s FROM runs")) {
    std::string figures;
    for (std::size_t i = 1; i < row.size(); ++i) figures += row[i] + " ";
    CHECK(runs.emplace(row[0], figures).second);
  }
  return runs;
}

}  // namespace

TEST_CASE("four shards of a six-point sweep hold exactly the local run's runs and figures") {
  const fs::path dir = test_dir("shards");
  { std::ofstream(dir / "sweep.yaml") << kExperiment; }
  const auto local = run_cli(
      "run " + (dir / "sweep.yaml").string() + " --no-progress --out " + (dir / "local.db").string(), dir);
  REQUIRE(local.exit_code == 0);
  const auto expected = runs_by_key(dir / "local.db");
  REQUIRE(expected.size() == 12);  // 6 points x (dense, fixed)
  std::map<std::string, std::string> merged;
  for (int shard = 0; shard < 4; ++shard) {
    const fs::path db = dir / ("shard" + std::to_string(shard) + ".db");
    const auto run = run_cli("run " + (dir / "sweep.yaml").string() + " --no-progress --threads 1 --shard " +
                                 std::to_string(shard) + "/4 --out " + db.string(),
                             dir);
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    CHECK(run.output.find("shard " + std::to_string(shard) + "/4") != std::string::npos);
    const auto runs = runs_by_key(db);
    CHECK(!runs.empty());
    for (const auto& entry : runs) CHECK(merged.insert(entry).second);  // in one shard only
  }
  CHECK(merged == expected);
  // Inside a Slurm array task the shard comes from the environment.
  const auto from_env =
      run_cli("run " + (dir / "sweep.yaml").string() + " --no-progress --out " + (dir / "env.db").string(),
              dir, "SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=4");
  INFO(from_env.output);
  CHECK(from_env.output.find("SLURM_ARRAY_TASK_ID") != std::string::npos);
  CHECK(runs_by_key(dir / "env.db") == runs_by_key(dir / "shard1.db"));
  const auto bad = run_cli(
      "run " + (dir / "sweep.yaml").string() + " --shard 4/4 --out " + (dir / "bad.db").string(), dir);
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("0 <= I < N") != std::string::npos);
}

}  // namespace sparsesim::testing
