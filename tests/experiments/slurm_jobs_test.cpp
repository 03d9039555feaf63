// The Slurm scripts `sparsesim slurm` writes: array ranges, quoting, and what each task runs.
#include <doctest/doctest.h>

#include "experiments/slurm_jobs.h"

namespace sparsesim {
namespace {

SweepPlan four_shard_plan() {
  SweepPlan plan;
  plan.experiment = "sweep one";
  plan.experiment_digest = "0123456789abcdef";
  plan.build_identity = "0.1.0+src.0000000000000000";
  plan.shard_count = 4;
  plan.point_labels = {"a=1", "a=2", "a=3", "a=4", "a=5"};
  plan.point_shard = {0, 1, 2, 3, 0};
  plan.point_cost = {1, 1, 1, 1, 1};
  return plan;
}

}  // namespace

TEST_CASE("array ranges compress consecutive task ids") {
  CHECK(slurm_array_ranges({0, 1, 2, 3}) == "0-3");
  CHECK(slurm_array_ranges({1}) == "1");
  CHECK(slurm_array_ranges({0, 2, 3, 4, 7}) == "0,2-4,7");
}

TEST_CASE("shell quoting survives quotes in paths") {
  CHECK(shell_quoted("/a b/c") == "'/a b/c'");
  CHECK(shell_quoted("it's") == "'it'\\''s'");
}

TEST_CASE("the array script runs the listed shards of N into their own databases; the merge job follows") {
  SlurmJobOptions options;
  options.program = "/opt/sparsesim";
  options.experiment_path = "/exp/sweep.yaml";
  options.work_dir = "/work";
  options.job_dir = "/jobs/s";
  options.merged_path = "/jobs/s/out.db";
  options.partition = "short";
  options.time_limit = "1:00:00";
  options.cpus = 2;
  const SweepPlan plan = four_shard_plan();
  const std::string array = array_job_script(options, plan, {1, 3});
  CHECK(array.find("#SBATCH --array=1,3\n") != std::string::npos);
  CHECK(array.find("#SBATCH --partition=short\n") != std::string::npos);
  CHECK(array.find("#SBATCH --time=1:00:00\n") != std::string::npos);
  CHECK(array.find("#SBATCH --mem") == std::string::npos);  // the cluster's default
  CHECK(array.find("#SBATCH --job-name=sparsesim-sweep_one\n") != std::string::npos);
  CHECK(array.find("--shard \"${SLURM_ARRAY_TASK_ID}/4\"") != std::string::npos);
  CHECK(array.find("--threads 2") != std::string::npos);
  CHECK(array.find("--seed") == std::string::npos);
  const std::string merge = merge_job_script(options, plan);
  CHECK(merge.find("'/opt/sparsesim' merge '/jobs/s/out.db'") != std::string::npos);
  CHECK(merge.find("$(seq 0 3)") != std::string::npos);
  CHECK(shard_database_path(options, 3) == "/jobs/s/shards/shard-3.db");
  // No database yet: no shard is complete.
  CHECK_FALSE(shard_is_complete(options, plan, 0));
}

}  // namespace sparsesim
