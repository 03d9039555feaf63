#include "experiments/run_aggregates.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "experiments/sweep_plan.h"

namespace sparsesim {
namespace {

// Upper bucket edges in tokens. The short end matters: published curves start at 16K while most
// production prompts are shorter, so the buckets resolve the range below 16K.
constexpr std::int64_t kBucketEdges[] = {4096, 16384, 32768, 65536};

double t_quantile_975(int dof) {
  static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086};
  if (dof < 1) return 0;
  if (dof <= 20) return table[dof - 1];
  return dof <= 30 ? 2.042 : 1.96;
}

std::string id_list(const std::vector<std::int64_t>& ids) {
  std::string list;
  for (auto id : ids) {
    if (!list.empty()) list.push_back(',');
    list.append(std::to_string(id));
  }
  return list;
}

}  // namespace

double ci95_half_width(const std::vector<double>& values) {
  const auto n = static_cast<int>(values.size());
  if (n < 2) return 0.0;
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return t_quantile_975(n - 1) * std::sqrt(squares / (n - 1)) / std::sqrt(static_cast<double>(n));
}

const std::vector<std::string>& length_bucket_labels() {
  static const std::vector<std::string> labels = {"<4K", "4K-16K", "16K-32K", "32K-64K", ">=64K"};
  return labels;
}

std::string length_bucket_label(std::int64_t input_tokens) {
  std::size_t bucket = 0;
  while (bucket < std::size(kBucketEdges) && input_tokens >= kBucketEdges[bucket]) ++bucket;
  return length_bucket_labels()[bucket];
}

AggregateSet aggregate_runs(SqliteDb& db, const std::vector<std::int64_t>& run_ids) {
  AggregateSet set;
  set.length_buckets = length_bucket_labels();
  const std::string where = run_ids.empty() ? "" : " WHERE run_id IN (" + id_list(run_ids) + ")";
  SqliteStatement runs(
      db,
      "SELECT run_id, experiment, COALESCE(sweep_field, ''), COALESCE(sweep_value, 0), policy, "
      "policy_impl, knob_name, knob, solver_status, compute_metric, compute_achieved, "
      "compute_target, throughput_rps, throughput_output_tokens_per_s, ttft_p50_s, ttft_p99_s, "
      "tpot_p50_ms, tpot_p99_ms, e2e_p99_s, slo_attainment, gpu_busy_s, mean_expected_quality, "
      "requests, rejected, preemptions, escalations, lookups_exact, lookups_interpolated, "
      "lookups_extrapolated, cost_model, quality_model, warnings, COALESCE(model, ''), workflows, "
      "workflow_e2e_p50_s, workflow_e2e_p99_s, prefix_hit_rate, point_hash, group_hash, "
      "COALESCE(solver_note, ''), COALESCE(tuned_parameters, ''), solver_iterations, solver_tolerance, "
      "range_min_compute, range_max_compute, window_quality_low, window_quality_high, "
      "queue_wait_first_quarter_s, queue_wait_last_quarter_s, dense_fallback_prefills, "
      "dense_fallback_decodes, requests_stored, COALESCE(sweep_point, ''), energy_j, completed FROM runs" +
          where + (where.empty() ? " WHERE" : " AND") + " purpose = 'comparison' ORDER BY " +
          kSweepPlanOrder);
  std::map<std::string, std::size_t> index_of;
  std::map<std::size_t, std::vector<double>> qualities;
  while (runs.step()) {
    auto [found, inserted] = index_of.emplace(runs.column_text(38), set.rows.size());
    if (inserted) {
      PolicyAggregate row;
      row.experiment = runs.column_text(1);
      row.sweep_field = runs.column_text(2);
      row.sweep_value = runs.column_double(3);
      row.sweep_point = runs.column_text(52);
      row.policy = runs.column_text(4);
      row.policy_impl = runs.column_text(5);
      row.knob_name = runs.column_text(6);
      row.solver_status = runs.column_text(8);
      row.compute_metric = runs.column_text(9);
      row.model = runs.column_text(32);
      row.point_hash = runs.column_text(37);
      row.group_hash = runs.column_text(38);
      row.solver_note = runs.column_text(39);
      row.tuned_parameters = runs.column_text(40);
      row.solver_iterations = static_cast<int>(runs.column_int(41));
      row.solver_tolerance = runs.column_double(42);
      row.range_min_compute = runs.column_double(43);
      row.range_max_compute = runs.column_double(44);
      row.window_quality_low = runs.column_double(45);
      row.window_quality_high = runs.column_double(46);
      set.rows.push_back(row);
    }
    PolicyAggregate& row = set.rows[found->second];
    row.run_ids.push_back(runs.column_int(0));
    row.replications += 1;
    if (row.solver_status != runs.column_text(8)) row.solver_status = "mixed";
    // Sums now, divided by the replication count below.
    row.knob += runs.column_double(7);
    int c = 10;
    for (double* field : {&row.compute, &row.compute_target, &row.throughput_rps,
                          &row.throughput_tokens_per_s, &row.ttft_p50_s, &row.ttft_p99_s, &row.tpot_p50_ms,
                          &row.tpot_p99_ms, &row.e2e_p99_s, &row.slo_attainment, &row.gpu_busy_s})
      *field += runs.column_double(c++);
    qualities[found->second].push_back(runs.column_double(21));
    c = 22;
    for (std::int64_t* field : {&row.requests, &row.rejected, &row.preemptions, &row.escalations,
                                &row.lookups_exact, &row.lookups_interpolated, &row.lookups_extrapolated})
      *field += runs.column_int(c++);
    row.workflows += runs.column_double(33);
    row.workflow_e2e_p50_s += runs.column_double(34);
    row.workflow_e2e_p99_s += runs.column_double(35);
    row.prefix_hit_rate += runs.column_double(36);
    row.queue_wait_first_quarter_s += runs.column_double(47);
    row.queue_wait_last_quarter_s += runs.column_double(48);
    row.dense_fallback_prefills += runs.column_int(49);
    row.dense_fallback_decodes += runs.column_int(50);
    row.requests_stored += runs.column_int(51);
    // Energy per 1,000 completed requests, summed over replications (NaN as soon as one lacks it).
    if (runs.column_is_null(53) || runs.column_int(54) <= 0)
      row.energy_wh_per_1k = std::nan("");
    else
      row.energy_wh_per_1k += runs.column_double(53) / 3.6 / static_cast<double>(runs.column_int(54));
    set.cost_model = runs.column_text(29);
    set.quality_model = runs.column_text(30);
    std::istringstream warnings(runs.column_text(31));
    for (std::string line; std::getline(warnings, line);)
      if (!line.empty() && std::find(set.warnings.begin(), set.warnings.end(), line) == set.warnings.end())
        set.warnings.push_back(line);
  }
  for (std::size_t index = 0; index < set.rows.size(); ++index) {
    PolicyAggregate& row = set.rows[index];
    const double n = row.replications;
    for (double* field :
         {&row.knob, &row.compute, &row.compute_target, &row.throughput_rps, &row.throughput_tokens_per_s,
          &row.ttft_p50_s, &row.ttft_p99_s, &row.tpot_p50_ms, &row.tpot_p99_ms, &row.e2e_p99_s,
          &row.slo_attainment, &row.gpu_busy_s, &row.workflows, &row.workflow_e2e_p50_s,
          &row.workflow_e2e_p99_s, &row.prefix_hit_rate, &row.queue_wait_first_quarter_s,
          &row.queue_wait_last_quarter_s, &row.energy_wh_per_1k})
      *field /= n;
    row.rejected_mean = static_cast<double>(row.rejected) / n;
    const auto& values = qualities[index];
    row.quality_mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
    row.quality_ci95 = ci95_half_width(values);

    SqliteStatement requests(
        db,
        "SELECT task_family, input_tokens, expected_quality FROM requests WHERE status = "
        "'done' AND run_id IN (" +
            id_list(row.run_ids) + ")");
    std::map<std::string, std::pair<double, std::int64_t>> by_family, by_length;
    while (requests.step()) {
      const double quality = requests.column_double(2);
      auto& family = by_family[requests.column_text(0)];
      family.first += quality, family.second += 1;
      auto& length = by_length[length_bucket_label(requests.column_int(1))];
      length.first += quality, length.second += 1;
    }
    for (const auto& [family, sum] : by_family) row.quality_by_family[family] = sum.first / sum.second;
    for (const auto& [bucket, sum] : by_length) row.quality_by_length[bucket] = sum.first / sum.second;
  }
  return set;
}

}  // namespace sparsesim
