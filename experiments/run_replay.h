#pragma once
// Simulates a stored run again, exactly as it ran, for a timeline (`sparsesim trace`): the sweep point's
// experiment document (table point_documents), the run's policy with its tuned parameters and solved
// knob, its replication seed and replica count. The replay must reproduce the stored run (requests
// completed, makespan, TTFT p99 and GPU time, to the last digit); anything else — a run made by another
// build, or an input file changed since — is an error, never a timeline of some other run.
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/sqlite_db.h"
#include "sim/simulation.h"
#include "sim/simulation_observer.h"

namespace sparsesim {

struct ReplayedRun {
  std::string experiment, policy, sweep_point;
  int replicas = 1, tensor_parallel = 1;
  SimulationResult result;
};

// Throws InputError for a run id that does not exist or cannot be replayed (with the reason).
ReplayedRun replay_run(SqliteDb& db, std::int64_t run_id, SimulationObserver* observer);

}  // namespace sparsesim
