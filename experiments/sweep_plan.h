#pragma once
// The plan of a sweep, stored in every database a run of it writes (table `sweep_plan`): which points
// the experiment has, which shard each belongs to, and which are complete. Every shard records the whole
// plan, so `sparsesim merge` can say which points are missing from any subset of shard databases, and
// can refuse shards of another experiment (another experiment digest) or another program (another build
// identity).
#include <cstddef>
#include <string>
#include <vector>

#include "experiments/experiment_spec.h"
#include "experiments/sqlite_db.h"

namespace sparsesim {

struct SweepPlan {
  std::string experiment;         // the experiment's name
  std::string experiment_digest;  // 16 hex digits over the experiment document and seed: equal on every shard
  std::string build_identity;     // the program that made the plan
  int shard_count = 1;
  std::vector<std::string> point_labels;  // one per point ("" for an experiment without a sweep)
  std::vector<int> point_shard;           // shard of each point, in [0, shard_count)
  std::vector<double> point_cost;         // estimated cost of each point (all 1 with one shard)
};

// Estimated simulation cost of a point: requests x (policies + 1 reference) x replications; a point
// with no request cap counts as a million requests (the same for every such point).
double estimated_point_cost(const ExperimentSpec& point);

// Builds the plan: points of `spec` (one when it has no sweep) balanced over `shard_count` shards by
// estimated cost (experiments/shard_plan.h). Parses every point (to read its request cap).
SweepPlan make_sweep_plan(const ExperimentSpec& spec, int shard_count);

// Indices of the points shard `shard_index` runs, ascending.
std::vector<std::size_t> points_of_shard(const SweepPlan& plan, int shard_index);

// The SQL creating the table (part of the results schema).
extern const char* const kSweepPlanSchema;

// An ORDER BY clause over `runs` listing experiments in the order they were first stored and each
// experiment's points in plan order, then by run_id: a merged database (shards appended one after
// another) lists its runs in the order a single local run stores them.
extern const char* const kSweepPlanOrder;

// Records the plan's rows (rows already there are kept) inside the caller's transaction.
void record_sweep_plan(SqliteDb& db, const SweepPlan& plan);

// Marks `points` of the plan complete: every run of theirs is stored.
void mark_points_complete(SqliteDb& db, const SweepPlan& plan, const std::vector<std::size_t>& points);

}  // namespace sparsesim
