#pragma once
// One simulated run as stored: which experiment point it belongs to, how its knob was solved, and the
// simulator's per-run and per-request figures.
#include <cstdint>
#include <string>

#include "sim/simulation.h"

namespace sparsesim {

struct SolverOutcome {
  std::string status = "not_solved";  // "matched", "unreachable_low", "unreachable_high", "not_converged",
                                      // "reference", "fixed_knob", "no_knob"
  std::string note;                   // why, for the unreachable cases
  int iterations = 0;
  double target = 0;    // compute target in the metric's unit (0 when none)
  double achieved = 0;  // the run's compute in that unit
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
  std::string sweep_field;  // empty when not a sweep
  double sweep_value = 0;
  int replicas = 0;
  std::string model;  // the model serving this run
  std::string compute_metric;
  SolverOutcome solver;
  double slo_attainment = 0;    // fraction of all requests done within both SLOs
  bool meets_slo = false;       // TTFT p99 and TPOT p99 within the SLOs, and nothing rejected
  std::string cost_model;       // describe() of the cost model
  std::string quality_model;    // describe() of the quality model, "" when none
  std::string resolved_config;  // the fully resolved YAML of this run
  std::string warnings;         // trace repairs and other notes, one per line
  SimulationResult result;
};

// The compute of a run in the chosen metric's unit (GPU-seconds, FLOPs or bytes).
double run_compute(const RunSummary& summary, const std::string& metric);

}  // namespace sparsesim
