#pragma once
// Solves one policy's knob for all replications of a sweep point together: a knob is a deployment
// setting, so it is chosen once, with the mean compute over replications (each replication's workload
// simulated at the same knob: common random numbers) on the mean of the replications' targets; every
// replication then runs at that knob, and the spread of its results reflects randomness only.
//
// Statuses (experiments/iso_compute.h): matched, ill_conditioned (matched, but quality over the
// tolerance window varies more than the 95% replication interval, or compute is not monotone in the knob
// by more than the tolerance), unreachable_low / unreachable_high (the reachable range is reported with
// them), not_converged.
#include <memory>
#include <vector>

#include "experiments/experiment_spec.h"
#include "experiments/run_record.h"
#include "policies/budget_policy.h"

namespace sparsesim {

// What serves a policy: the cluster (with the policy's model) and the models that price and score it.
struct Serving {
  ClusterConfig cluster;
  std::unique_ptr<CostModel> cost_model;
  std::unique_ptr<QualityModel> quality_model;  // null without a quality model
};

struct JointSolution {
  double knob = 0;
  SolverOutcome solver;                   // achieved is left 0: set per replication by the caller
  std::vector<SimulationResult> results;  // one per replication, at `knob`
};

// `policies[r]` is prepared on `workloads[r]`; `targets[r]` is replication r's compute target in the
// metric. Evaluations: two range probes, the bisection, and two window-edge probes after a match.
JointSolution solve_jointly(const Serving& serving, const std::vector<BudgetPolicy*>& policies,
                            const std::vector<const std::vector<Request>*>& workloads,
                            const std::vector<double>& targets, const ComputeTargetSpec& compute);

// One simulation of `requests` under `policy` at `knob`.
SimulationResult simulate_at_knob(const Serving& serving, BudgetPolicy& policy,
                                  const std::vector<Request>& requests, double knob);

}  // namespace sparsesim
