#pragma once
// Capacity planning: a deployment search. For each policy and each deployment (GPU type x tensor-parallel
// degree, from capacity.gpus / capacity.tensor_parallel), the smallest number of replicas that meets the
// experiment's latency SLOs (TTFT p99 and TPOT p99, nothing rejected) and its quality floor, found by
// binary search over [capacity.min_replicas, capacity.max_replicas]; then the cheapest deployment per
// policy, by dollars (replicas x TP x makespan x the GPU's price per hour) or by GPU-hours. Each probe is
// an ordinary iso-compute run stored in the results database with purpose "capacity_probe" (so an
// interrupted search resumes, and probes are never blended into the comparison table); the answers are
// stored in the `capacity_results` table, which `sparsesim report` shows as its own table.
//
// The binary search assumes meeting the SLOs is monotone in the replica count. Every probe is kept, and
// when two of them break that (fewer replicas meet, more do not) the answer says so.
//
// Before any search, what no replica count can fix is said at once, per deployment: weights that leave
// no KV cache at that TP, a TP the model's heads do not divide, requests rejected at any size (longer than
// the model's context, or larger than a replica's whole KV cache), and prompts whose prefill alone, on an
// idle replica with attention priced at nothing (linear layers only, a bound no sparse policy can beat),
// takes longer than the TTFT SLO for more than 1% of requests.
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "experiments/experiment_runner.h"
#include "experiments/sqlite_db.h"

namespace sparsesim {

struct CapacityResult {
  std::string policy;
  std::string gpu;          // the deployment: GPU type
  int tensor_parallel = 1;  // and tensor-parallel degree
  int replicas = -1;        // -1 when even max_replicas fails, or when no replica count can work
  double gpu_hours = 0;     // replicas x tensor_parallel x trace makespan, at the chosen size
  double dollars = 0;       // gpu_hours x the GPU's price per GPU-hour (0 without a price)
  double energy_kwh = std::numeric_limits<double>::quiet_NaN();  // the GPUs' energy over the run (NaN: no
                                                                 // power figures for this GPU)
  std::int64_t completed = 0;                                    // requests completed, for per-1k figures
  bool cheapest = false;  // the cheapest deployment of this policy that meets everything
  std::string note;       // e.g. a probe pair that broke monotonicity
  double mean_quality = 0, ttft_p99_s = 0, tpot_p99_ms = 0;
  std::string knob_name, solver_status, compute_metric;
  double knob = 0, compute = 0;       // the knob and compute the policy used at the answer
  std::string why_not;                // when replicas == -1: what failed, or why nothing can work
  std::vector<std::int64_t> run_ids;  // every probe run
};

// The header's figures: the SLOs, the quality floor and the searched range.
struct CapacityCriteria {
  double ttft_p99_s = 0, tpot_p99_ms = 0, quality_floor = 0;
  int min_replicas = 1, max_replicas = 1;
  std::string cost = "gpu_hours";  // dollars | gpu_hours
  std::string prices;              // "H100-SXM $3.00/GPU-h, ..." as used
};

std::vector<CapacityResult> plan_capacity(const ExperimentSpec& spec, const RunOptions& options);
std::string format_capacity_table(const std::vector<CapacityResult>& results,
                                  const CapacityCriteria& criteria);
CapacityCriteria capacity_criteria(const ExperimentSpec& spec);

// Every stored capacity answer (optionally of one experiment), as text tables; "" when there is none.
std::string format_stored_capacity_results(SqliteDb& db, const std::string& experiment);

// "" when meeting everything is monotone over the probes (replicas -> (met everything, what missed)),
// else a note naming the first pair that breaks it: fewer replicas meet, more do not.
std::string capacity_monotonicity_note(const std::map<int, std::pair<bool, std::string>>& probes);

// Why no replica count can meet the SLOs for this policy on this workload ("" when some might).
std::string capacity_infeasibility(const ExperimentSpec& spec, const PolicyEntry& policy,
                                   const std::vector<Request>& requests);

}  // namespace sparsesim
