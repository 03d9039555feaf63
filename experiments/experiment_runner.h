#pragma once
// Runs an experiment: for every sweep point and replication, builds the workload, measures the compute
// target (dense, or a named policy at a given knob), then solves each policy's knob to that target and
// stores each run in the results database. Runs execute on a thread pool; results are identical, byte
// for byte, to a single-threaded run. Runs already in the database (same config hash) are skipped.
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/experiment_spec.h"

namespace sparsesim {

struct RunOptions {
  std::string results_path = "results/results.db";
  int threads = 1;
  bool progress = true;  // progress bar with ETA on stderr for long experiments
};

struct ExperimentRunReport {
  std::vector<std::int64_t> run_ids;  // every run of this experiment, in order (stored or skipped)
  int simulated = 0;                  // runs simulated now
  int skipped = 0;                    // runs found in the database by config hash
  std::vector<std::string> notes;     // workload notes (repairs, selection) and solver notes
};

ExperimentRunReport run_experiment(const ExperimentSpec& spec, const RunOptions& options);

}  // namespace sparsesim
