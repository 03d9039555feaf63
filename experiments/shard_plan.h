#pragma once
// Splits a sweep's points into N shards balanced by estimated cost (longest-processing-time first: the
// costliest point goes to the least-loaded shard), so that a Slurm array's tasks end at about the same
// time. The split depends only on the costs and N, never on the machine, so every task of an array
// computes the same plan.
#include <cstddef>
#include <string>
#include <vector>

namespace sparsesim {

struct ShardSelector {
  int index = 0;       // 0-based, in [0, count)
  int count = 1;       // >= 1
  std::string source;  // "--shard" or "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT", for the notes
};

// "I/N" with 0 <= I < N <= 100000; anything else is an InputError naming what was expected.
ShardSelector parse_shard(const std::string& text);

// The shard a Slurm array task runs, from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (task IDs must
// run 0..COUNT-1, as `sparsesim slurm` writes them); false when not inside an array task. Malformed
// values are an InputError.
bool shard_from_slurm_environment(ShardSelector& shard);

// For each point (cost > 0, any unit), the shard it belongs to.
std::vector<int> assign_shards(const std::vector<double>& point_costs, int shard_count);

}  // namespace sparsesim
