#pragma once
// Internal to sim/: per-run figures from per-request results (RunSummary in simulation.h) and workflows.
#include <vector>

#include "sim/run_state.h"
#include "sim/simulation.h"

namespace sparsesim {

// Fills everything in `result.summary` derivable from `result.requests` and `totals`, and
// `result.workflows`. kv_peak_bytes and events are set by the caller.
void summarise_run(const RunTotals& totals, SimulationResult& result);

}  // namespace sparsesim
