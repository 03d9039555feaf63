#include "experiments/sweep_plan.h"

#include <algorithm>

#include "experiments/build_identity.h"
#include "experiments/config_hash.h"
#include "experiments/shard_plan.h"

namespace sparsesim {

const char* const kSweepPlanSchema = R"SQL(
CREATE TABLE IF NOT EXISTS sweep_plan(
  experiment_digest TEXT NOT NULL, build_identity TEXT NOT NULL, point_index INTEGER NOT NULL,
  experiment TEXT NOT NULL, point_label TEXT NOT NULL, point_count INTEGER NOT NULL,
  shard_index INTEGER NOT NULL, shard_count INTEGER NOT NULL, complete INTEGER NOT NULL,
  PRIMARY KEY(experiment_digest, build_identity, point_index));
CREATE INDEX IF NOT EXISTS sweep_plan_by_label ON sweep_plan(experiment, build_identity, point_label);
)SQL";

const char* const kSweepPlanOrder =
    "(SELECT MIN(first.run_id) FROM runs first WHERE first.experiment = runs.experiment), "
    "COALESCE((SELECT MIN(plan.point_index) FROM sweep_plan plan WHERE plan.experiment = runs.experiment "
    "AND plan.build_identity = runs.build_identity AND plan.point_label = COALESCE(runs.sweep_point, '')), "
    "0), run_id";

double estimated_point_cost(const ExperimentSpec& point) {
  const double requests =
      point.workload.max_requests > 0 ? static_cast<double>(point.workload.max_requests) : 1e6;
  return requests * static_cast<double>(point.policies.size() + 1) * point.replications;
}

SweepPlan make_sweep_plan(const ExperimentSpec& spec, int shard_count) {
  SweepPlan plan;
  plan.experiment = spec.name;
  // The document as parsed (comments and layout do not count) and the seed, which --seed overrides.
  plan.experiment_digest =
      config_hash_hex(YAML::Dump(spec.document) + "\nseed: " + std::to_string(spec.seed) + "\n");
  plan.build_identity = build_identity();
  plan.shard_count = shard_count;
  std::vector<double> costs;
  if (spec.sweep.points.empty()) {
    plan.point_labels.emplace_back();
    costs.push_back(estimated_point_cost(spec));
  }
  for (std::size_t index = 0; index < spec.sweep.points.size(); ++index) {
    plan.point_labels.push_back(spec.sweep.points[index].label());
    // One shard needs no balance: skip parsing every point again.
    costs.push_back(shard_count == 1 ? 1.0 : estimated_point_cost(experiment_for_point(spec, index)));
  }
  plan.point_shard = assign_shards(costs, shard_count);
  plan.point_cost = costs;
  return plan;
}

std::vector<std::size_t> points_of_shard(const SweepPlan& plan, int shard_index) {
  std::vector<std::size_t> points;
  for (std::size_t index = 0; index < plan.point_shard.size(); ++index)
    if (plan.point_shard[index] == shard_index) points.push_back(index);
  return points;
}

void record_sweep_plan(SqliteDb& db, const SweepPlan& plan) {
  SqliteStatement insert(db,
                         "INSERT OR IGNORE INTO sweep_plan(experiment_digest, build_identity, point_index, "
                         "experiment, point_label, point_count, shard_index, shard_count, complete) "
                         "VALUES(?,?,?,?,?,?,?,?,0)");
  const auto count = static_cast<std::int64_t>(plan.point_labels.size());
  for (std::int64_t index = 0; index < count; ++index) {
    insert << plan.experiment_digest << plan.build_identity << index << plan.experiment
           << plan.point_labels[static_cast<std::size_t>(index)] << count
           << plan.point_shard[static_cast<std::size_t>(index)] << plan.shard_count;
    insert.execute();
  }
}

void mark_points_complete(SqliteDb& db, const SweepPlan& plan, const std::vector<std::size_t>& points) {
  SqliteStatement update(db,
                         "UPDATE sweep_plan SET complete = 1 WHERE experiment_digest = ? AND "
                         "build_identity = ? AND point_index = ?");
  for (std::size_t point : points) {
    update << plan.experiment_digest << plan.build_identity << static_cast<std::int64_t>(point);
    update.execute();
  }
}

}  // namespace sparsesim
