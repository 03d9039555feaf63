#pragma once
// Aggregates stored runs for tables and reports: one row per configuration (runs that differ only in
// replication and seed, by their group hash), averaged over replications, with a 95% confidence interval
// on mean expected quality (Student t over replications), plus quality broken down by task family and by
// input-length bucket (over completed requests). Runs of different configurations, of different builds,
// or made by the capacity planner's search are never blended into one row.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "experiments/sqlite_db.h"

namespace sparsesim {

struct PolicyAggregate {
  std::string experiment;
  std::string sweep_point;  // "field=value, ...": the sweep point ("" when not a sweep)
  std::string sweep_field;  // the field of a one-field numeric sweep, else ""
  double sweep_value = 0;
  std::string point_hash, group_hash;  // the sweep point (all its policies) and this row's configuration
  std::string policy, policy_impl, knob_name, solver_status, compute_metric, model;
  std::string solver_note, tuned_parameters;
  int solver_iterations = 0;
  double solver_tolerance = 0;
  double range_min_compute = 0, range_max_compute = 0;     // reachable compute (mean over replications)
  double window_quality_low = 0, window_quality_high = 0;  // quality over the tolerance window
  double queue_wait_first_quarter_s = 0, queue_wait_last_quarter_s = 0;
  double rejected_mean = 0;  // rejected requests per replication
  int replications = 0;
  double knob = 0, compute = 0, compute_target = 0;
  double throughput_rps = 0, throughput_tokens_per_s = 0;
  double ttft_p50_s = 0, ttft_p99_s = 0, tpot_p50_ms = 0, tpot_p99_ms = 0, e2e_p99_s = 0;
  double slo_attainment = 0, gpu_busy_s = 0;
  double workflows = 0, workflow_e2e_p50_s = 0, workflow_e2e_p99_s = 0;  // agentic workflows (0 when none)
  double prefix_hit_rate = 0;  // cached prompt tokens / prompt tokens (0 without prefix caching)
  double quality_mean = 0, quality_ci95 = 0;  // half-width; 0 with one replication
  std::int64_t requests = 0, rejected = 0, preemptions = 0, escalations = 0;
  std::int64_t lookups_exact = 0, lookups_interpolated = 0, lookups_extrapolated = 0;
  // Sparse budgets run dense because the cluster's method prices them above dense (sim/sparse_fallback.h),
  // summed over replications.
  std::int64_t dense_fallback_prefills = 0, dense_fallback_decodes = 0;
  std::int64_t requests_stored = 0;
  double energy_wh_per_1k = 0;  // GPU energy per 1,000 completed requests (Wh); NaN without power figures  //
                                // per-request rows stored (results.requests), summed over replications
  std::map<std::string, double> quality_by_family;  // task family -> mean expected quality
  std::map<std::string, double> quality_by_length;  // bucket label -> mean expected quality
  std::vector<std::int64_t> run_ids;
};

struct AggregateSet {
  std::vector<PolicyAggregate> rows;        // in run order of first appearance
  std::vector<std::string> length_buckets;  // labels in ascending order
  std::string cost_model, quality_model;
  std::vector<std::string> warnings;
};

// Half-width of the 95% confidence interval of the mean of `values` (Student t, n - 1 dof).
double ci95_half_width(const std::vector<double>& values);

// The comparison runs given, or every comparison run in the database when `run_ids` is empty (the
// capacity planner's probe runs are reported by its own table).
AggregateSet aggregate_runs(SqliteDb& db, const std::vector<std::int64_t>& run_ids);

// Label of the input-length bucket of a request (e.g. "<4K", "4K-16K", ">=64K").
std::string length_bucket_label(std::int64_t input_tokens);
const std::vector<std::string>& length_bucket_labels();

}  // namespace sparsesim
