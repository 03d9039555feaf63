#pragma once
// Capacity planning: for each policy, the smallest number of replicas that meets the experiment's latency
// SLOs (TTFT p99 and TPOT p99, nothing rejected) and its quality floor on the workload, found by binary
// search over [capacity.min_replicas, capacity.max_replicas]. Each probe is an ordinary iso-compute run
// stored in the results database (so an interrupted search resumes), tagged capacity.replicas = N.
// Assumes meeting the SLOs is monotone in the replica count, as it is for a fixed workload.
#include <string>
#include <vector>

#include "experiments/experiment_runner.h"

namespace sparsesim {

struct CapacityResult {
  std::string policy;
  int replicas = -1;     // -1 when even max_replicas fails
  double gpu_hours = 0;  // replicas x tensor_parallel x trace makespan, at the chosen size
  double mean_quality = 0, ttft_p99_s = 0, tpot_p99_ms = 0;
  std::string why_not;                // when replicas == -1: what failed at max_replicas
  std::vector<std::int64_t> run_ids;  // every probe run
};

std::vector<CapacityResult> plan_capacity(const ExperimentSpec& spec, const RunOptions& options);
std::string format_capacity_table(const std::vector<CapacityResult>& results, const ExperimentSpec& spec);

}  // namespace sparsesim
