#include "experiments/slurm_jobs.h"

#include <cctype>

#include "core/path_probe.h"
#include "experiments/results_store.h"

namespace sparsesim {
namespace {

std::string directives(const SlurmJobOptions& options, const std::string& name, const std::string& log) {
  std::string text = "#!/bin/bash\n#SBATCH --job-name=" + name + "\n#SBATCH --output=" + log +
                     "\n#SBATCH --chdir=" + options.work_dir + "\n";
  if (!options.partition.empty()) text += "#SBATCH --partition=" + options.partition + "\n";
  if (!options.time_limit.empty()) text += "#SBATCH --time=" + options.time_limit + "\n";
  if (!options.memory.empty()) text += "#SBATCH --mem=" + options.memory + "\n";
  return text;
}

// Slurm job names and #SBATCH values are not shell-parsed: keep the name to safe characters.
std::string job_name(const SweepPlan& plan) {
  std::string name = "sparsesim-";
  for (char c : plan.experiment)
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return name;
}

}  // namespace

std::string shard_database_path(const SlurmJobOptions& options, int shard_index) {
  return options.job_dir + "/shards/shard-" + std::to_string(shard_index) + ".db";
}

bool shard_is_complete(const SlurmJobOptions& options, const SweepPlan& plan, int shard_index) {
  const std::string path = shard_database_path(options, shard_index);
  if (!path_exists(path)) return false;
  auto db = open_results(path);
  SqliteStatement query(
      *db,
      "SELECT point_index FROM sweep_plan WHERE experiment_digest = ? AND build_identity = ? "
      "AND complete = 1");
  query << plan.experiment_digest << plan.build_identity;
  std::vector<bool> complete(plan.point_shard.size(), false);
  while (query.step()) {
    const auto index = static_cast<std::size_t>(query.column_int(0));
    if (index < complete.size()) complete[index] = true;
  }
  for (std::size_t point : points_of_shard(plan, shard_index))
    if (!complete[point]) return false;
  return true;
}

std::string slurm_array_ranges(const std::vector<int>& task_ids) {
  std::string text;
  for (std::size_t start = 0; start < task_ids.size();) {
    std::size_t end = start;
    while (end + 1 < task_ids.size() && task_ids[end + 1] == task_ids[end] + 1) ++end;
    text += (text.empty() ? "" : ",") + std::to_string(task_ids[start]);
    if (end > start) text += "-" + std::to_string(task_ids[end]);
    start = end + 1;
  }
  return text;
}

std::string array_job_script(const SlurmJobOptions& options, const SweepPlan& plan,
                             const std::vector<int>& shard_ids) {
  const std::string count = std::to_string(plan.shard_count);
  std::string text = directives(options, job_name(plan), options.job_dir + "/logs/shard-%a.out");
  text += "#SBATCH --array=" + slurm_array_ranges(shard_ids) +
          "\n#SBATCH --cpus-per-task=" + std::to_string(options.cpus) + "\n";
  text += "# Written by `sparsesim slurm` (build " + plan.build_identity + "): task I runs shard I of " +
          count + " of experiment '" + plan.experiment + "' (digest " + plan.experiment_digest +
          ") into shards/shard-I.db.\n# A task rerun skips the runs its database already holds.\n";
  text += "set -euo pipefail\nexec " + shell_quoted(options.program) + " run " +
          shell_quoted(options.experiment_path) + " --shard \"${SLURM_ARRAY_TASK_ID}/" + count + "\" --out " +
          shell_quoted(options.job_dir + "/shards/shard-") + "\"${SLURM_ARRAY_TASK_ID}\"'.db' --threads " +
          std::to_string(options.cpus) + " --no-progress" +
          (options.seed_given ? " --seed " + std::to_string(options.seed) : "") + "\n";
  return text;
}

std::string merge_job_script(const SlurmJobOptions& options, const SweepPlan& plan) {
  std::string text = directives(options, job_name(plan) + "-merge", options.job_dir + "/logs/merge.out");
  text += "#SBATCH --cpus-per-task=1\n";
  text +=
      "# Written by `sparsesim slurm`: merges the shard databases that exist (a task that never began\n"
      "# left none); `sparsesim merge` exits 3 and lists the points still missing.\n";
  text += "set -uo pipefail\nshards=()\nfor index in $(seq 0 " + std::to_string(plan.shard_count - 1) +
          "); do\n  shard=" + shell_quoted(options.job_dir + "/shards/shard-") +
          "\"${index}.db\"\n  [ -e \"$shard\" ] && shards+=(\"$shard\")\ndone\n";
  text += "exec " + shell_quoted(options.program) + " merge " + shell_quoted(options.merged_path) +
          " \"${shards[@]}\"\n";
  return text;
}

}  // namespace sparsesim
