#pragma once
// `sparsesim merge`: folds shard databases of one sweep into one results database.
//
// Contract:
// - Every shard must be a results database of this schema holding one sweep plan (experiments/
//   sweep_plan.h): the same experiment digest and the same build identity on every shard, and on any
//   rows of the same experiment already in the output. Anything else is an InputError naming the shard
//   and what differs; nothing is written then.
// - Runs are matched by config hash: a run already in the output is skipped, so merging again, or
//   merging overlapping shards, adds nothing twice (idempotent). Requests, sweep points, tuning and
//   capacity rows travel with their runs.
// - Each shard is merged in one transaction: an interrupted merge leaves whole shards merged or not at
//   all, and running it again completes it.
// - The report lists the plan's points that no shard completed (its runs may be partly stored).
#include <cstdint>
#include <string>
#include <vector>

namespace sparsesim {

struct MissingPoint {
  std::int64_t index = 0;
  std::string label;
  int shard_index = 0, shard_count = 1;
};

struct MergeReport {
  std::string experiment;
  int shards_merged = 0;
  int shards_empty = 0;  // databases with no plan and no runs (a task killed before it began)
  std::int64_t runs_added = 0, runs_already_present = 0;
  std::int64_t points = 0, points_complete = 0;
  std::vector<MissingPoint> missing;  // in point order
  bool complete() const { return missing.empty() && points > 0; }
};

MergeReport merge_results(const std::string& out_path, const std::vector<std::string>& shard_paths);

}  // namespace sparsesim
