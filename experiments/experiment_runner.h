#pragma once
// Runs an experiment: for every sweep point, builds each replication's workload and measures its compute
// target (dense, or a named policy at a given knob); with `tune:`, tunes each policy's secondary
// parameters on the tuning split; then solves each policy's knob once for all replications together
// (experiments/joint_solve.h) and stores every replication's run in the results database.
//
// Solves run on a thread pool; results are identical, byte for byte, to a single-threaded run. A run is
// keyed by its resolved configuration, the digests of its input files and the build identity; runs
// already stored under that key are not simulated again, and stored runs of the same configuration made
// by another build are ignored (and counted in the notes).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "experiments/experiment_spec.h"
#include "experiments/sweep_plan.h"

namespace sparsesim {

struct RunOptions {
  std::string results_path = "results/results.db";
  int threads = 1;
  bool progress = true;                // progress bar with ETA on stderr (drawn only on a terminal)
  std::string purpose = "comparison";  // stored with each run; the capacity planner's probes differ
  // With only_listed_points, the sweep points to run: ascending indices into spec.sweep.points (a shard's
  // share, possibly none); otherwise every point runs.
  bool only_listed_points = false;
  std::vector<std::size_t> point_indices;
  // When set, the sweep's plan is recorded in the database (table sweep_plan) and the points this run
  // covers are marked complete once all their runs are stored, for `sparsesim merge`.
  std::optional<SweepPlan> plan;
};

struct TuningReport {
  std::string point;  // sweep point label ("" without a sweep)
  std::string policy;
  std::string parameters;  // chosen, as a YAML flow map ("{}": the entry as written won)
  int candidates = 0, at_target = 0;
  double best_quality = 0, written_quality = 0;  // on the tuning split
  std::string written_status;
  std::string note;
};

struct ExperimentRunReport {
  std::vector<std::int64_t> run_ids;  // every run of this experiment, in order (stored or skipped)
  int simulated = 0;                  // runs simulated now
  int skipped = 0;                    // runs found in the database by config hash
  std::int64_t other_build_runs = 0;  // stored runs of this configuration from another build, ignored
  std::vector<std::string> notes;     // workload notes (repairs, selection) and solver notes
  std::vector<TuningReport> tuning;   // one per tuned (point, policy)
  std::int64_t tuning_requests = 0, evaluation_requests = 0;  // with `tune:`, of the first point
};

ExperimentRunReport run_experiment(const ExperimentSpec& spec, const RunOptions& options);

// The text block describing `tune:` results (empty when nothing was tuned).
std::string format_tuning_report(const ExperimentRunReport& report, const ExperimentSpec& spec);

}  // namespace sparsesim
