#pragma once
// The Slurm side of a sharded sweep: a job-array script whose task I runs `sparsesim run --shard I/N`
// into its own shard database, and a merge job (submitted with afterany on the array) that runs
// `sparsesim merge` over whatever shard databases exist. Resubmitting lists in the array only the shards
// whose databases are not complete, and each task skips the runs its database already holds, so a
// failed or killed task redoes only what is missing.
#include <string>
#include <vector>

#include "core/shell_quote.h"
#include "experiments/sweep_plan.h"

namespace sparsesim {

struct SlurmJobOptions {
  std::string program;          // absolute path of the sparsesim binary the tasks run
  std::string experiment_path;  // absolute
  std::string work_dir;         // absolute: the jobs' working directory (relative paths in the YAML)
  std::string job_dir;          // absolute: scripts, shards/, logs/ go here
  std::string merged_path;      // absolute: the merge job's output database
  std::string partition, time_limit, memory;  // "" = the cluster's defaults
  int cpus = 1;                               // per task, also the run's --threads
  bool seed_given = false;
  std::uint64_t seed = 0;
};

// Shard I's database under job_dir.
std::string shard_database_path(const SlurmJobOptions& options, int shard_index);

// True when the shard database exists and has every point `plan` gives shard `shard_index` marked
// complete under this plan's experiment digest and build identity.
bool shard_is_complete(const SlurmJobOptions& options, const SweepPlan& plan, int shard_index);

// "0-3", "1,3,5-7": Slurm's --array syntax for ascending task ids.
std::string slurm_array_ranges(const std::vector<int>& task_ids);

// The job-array script for the given (ascending, non-empty) shard ids of `plan`.
std::string array_job_script(const SlurmJobOptions& options, const SweepPlan& plan,
                             const std::vector<int>& shard_ids);

// The merge job's script: merges every shard database that exists into merged_path.
std::string merge_job_script(const SlurmJobOptions& options, const SweepPlan& plan);

}  // namespace sparsesim
