#pragma once
// The report's plots (gnuplot scripts with inline data, experiments/gnuplot.h). Each returns a Plot
// with no data when there is nothing to draw (e.g. no stored per-request rows), which the report says.
//   quality_vs_compute   per policy and configuration: mean quality with its 95% interval (error bars)
//                        against compute, and the compute target as a vertical line;
//   latency_tail         the tail of a latency distribution, 1 - CDF on a log axis so that p90, p99
//                        and p99.9 separate (first configuration);
//   budget_vs_length     the budget each request got against its prompt length, per phase (prefill
//                        density, decode KV kept as a fraction of the prompt), axes fitted to the data;
//   quality_by_length    mean quality per input-length bucket;
//   capacity_probes      SLO attainment and GPU-hours against replicas, per policy and deployment, from
//                        the capacity search's probes.
#include <string>

#include "experiments/gnuplot.h"
#include "experiments/run_aggregates.h"
#include "experiments/sqlite_db.h"

namespace sparsesim {

Plot quality_vs_compute(const AggregateSet& set);
Plot latency_tail(SqliteDb& db, const AggregateSet& set, const std::string& column, const std::string& label);
Plot budget_vs_length(SqliteDb& db, const AggregateSet& set, bool decode);
Plot quality_by_length(const AggregateSet& set);
// `gpu_hours`: false plots SLO attainment, true GPU-hours. `experiment` "" = every experiment.
Plot capacity_probes(SqliteDb& db, const std::string& experiment, bool gpu_hours);

}  // namespace sparsesim
