#pragma once
// One simulated run as stored: which experiment point it belongs to, how its knob was solved, and the
// simulator's per-run and per-request figures.
#include <cstdint>
#include <string>

#include "experiments/request_storage.h"
#include "sim/simulation.h"

namespace sparsesim {

// How the knob of a (policy, sweep point) was set. One knob is solved for all replications together
// (mean compute over replications on the mean target, common random numbers), so every replication of
// a policy runs at the same knob and the interval across replications reflects randomness only.
struct SolverOutcome {
  std::string status = "not_solved";  // "matched", "ill_conditioned", "unreachable_low",
                                      // "unreachable_high", "not_converged", "reference", "fixed_knob",
                                      // "no_knob"
  std::string note;                   // why, for anything but "matched"
  int iterations = 0;                 // knob values evaluated (each over every replication)
  double target = 0;                  // compute target in the metric's unit (0 when none): mean over
                                      // replications of each replication's target
  double achieved = 0;                // this run's compute in that unit
  double achieved_mean = 0;           // mean compute over replications at the solved knob
  // Reachable compute: mean over replications at the knob's minimum and maximum (both 0 when not solved).
  double range_min_compute = 0, range_max_compute = 0;
  // Mean quality at the two edges of the tolerance window (knobs whose compute is within tolerance of
  // the target); equal to the quality at the knob when the solve was not assessed.
  double window_quality_low = 0, window_quality_high = 0;
  double tolerance = 0;  // relative
};

struct RunRecord {
  std::string experiment;
  std::string config_hash;  // key for skip-on-restart
  std::string policy_label;
  std::string policy_impl;
  std::string knob_name;
  double knob = 0;
  std::uint64_t seed = 0;
  int replication = 0;
  std::string sweep_point;  // "field=value, ...", empty when not a sweep
  std::string sweep_field;  // the field of a one-field numeric sweep, else empty
  double sweep_value = 0;
  int replicas = 0;
  int gpus = 0;  // replicas x tensor_parallel
  // The sweep point's experiment document (YAML) and the file it came from: enough to simulate the run
  // again (`sparsesim trace`). Stored once per point (table point_documents).
  std::string experiment_document, experiment_source;
  std::string model;  // the model serving this run
  std::string compute_metric;
  SolverOutcome solver;
  double slo_attainment = 0;    // fraction of all requests done within both SLOs
  bool meets_slo = false;       // TTFT p99 and TPOT p99 within the SLOs, and nothing rejected
  std::string cost_model;       // describe() of the cost model
  std::string quality_model;    // describe() of the quality model, "" when none
  std::string resolved_config;  // the fully resolved YAML of this run
  std::string warnings;         // trace repairs and other notes, one per line
  // Keys. config_hash: the whole run (point, policy, replication, build). group_hash: the runs that are
  // replications of one configuration (everything but replication and seed). point_hash: one sweep point
  // of one experiment configuration (all its policies). input_hash: config_hash without the build
  // identity, to tell a user when stored runs of another build are ignored.
  std::string group_hash, point_hash, input_hash, build_identity;
  std::string purpose = "comparison";  // "comparison", or "capacity_probe" for capacity-search runs
  std::string tuned_parameters;        // YAML flow map of parameters set by `tune:` ("" when untuned)
  RequestStorage request_storage;      // which per-request rows to store
  // Median wait from arrival to first scheduling of the requests in the first and last quarter of
  // arrivals: a queue that grows through the trace (overload) shows as a last quarter far above the first.
  double queue_wait_first_quarter_s = 0, queue_wait_last_quarter_s = 0;
  SimulationResult result;
};

// The compute of a run in the chosen metric's unit (GPU-seconds, FLOPs or bytes).
double run_compute(const RunSummary& summary, const std::string& metric);

}  // namespace sparsesim
