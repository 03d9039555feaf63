#pragma once
// The planner's view of a sweep: for each scenario (the sweep's workload.* values, e.g. one load level)
// the configurations (deployment x policy) that meet the SLOs, the Pareto frontier among them and the
// cheapest one per policy.
//
// Definitions (also in the README):
// - deployment: the sweep point's other fields (cluster.*, scheduler limits, policy parameters, ...);
// - feasible: every replication meets the TTFT and TPOT p99 SLOs with no rejected request
//   (runs.meets_slo), and mean quality >= the quality floor when one is given;
// - GPUs: replicas x tensor_parallel, i.e. GPU-hours per hour of serving;
// - GPU-h/1k: GPUs x makespan / completed requests, in GPU-hours per 1,000 requests served;
// - frontier: feasible configurations no other feasible one of the same scenario beats or equals on all
//   of GPU-h/1k (lower), quality (higher) and TTFT p99 (lower) while beating it on one;
// - cheapest per policy: fewest GPUs, then lowest GPU-h/1k, then highest quality.
#include <string>
#include <vector>

#include "experiments/gnuplot.h"
#include "experiments/run_aggregates.h"
#include "experiments/sqlite_db.h"

namespace sparsesim {

struct PlannerConfiguration {
  std::string scenario;    // "workload.rate_multiplier=2" ("" when the sweep sets no workload field)
  std::string deployment;  // "cluster.replicas=4, cluster.gpu=H100-SXM" ("" when it sets nothing else)
  std::string policy;
  int gpus = 1;  // replicas x tensor_parallel
  double gpu_hours_per_1k = 0, quality = 0, ttft_p99_s = 0, tpot_p99_ms = 0, slo_attainment = 0;
  bool meets_slo = false, feasible = false, on_frontier = false, cheapest_of_policy = false;
  bool bound = false;  // the oracle: a reference (knows true curves), not a deployable policy
};

struct PlannerView {
  std::vector<std::string> scenarios;  // in sweep order
  std::vector<PlannerConfiguration> configurations;
  double quality_floor = 0;  // 0: none
};

// One configuration per aggregate row of a sweep (rows without a sweep point are left out).
PlannerView planner_view(SqliteDb& db, const AggregateSet& set, double quality_floor);

// The tables: per scenario, the cheapest configuration per policy meeting the SLOs and the frontier.
// Empty when the set is not a sweep of at least two points.
std::string format_planner_tables(const PlannerView& view);

// GPU-h/1k vs quality of the feasible configurations, one series per policy, the frontier drawn over
// them; no data when nothing is feasible.
Plot planner_frontier_plot(const PlannerView& view);

}  // namespace sparsesim
