#pragma once
// The comparison table printed to the terminal after a run (and by `sparsesim report --text`): per
// policy its knob, compute, throughput, latency percentiles, SLO attainment and mean expected quality
// with a 95% CI, the gap to the oracle bound, then quality by task family and by length bucket, and the
// provenance lines (cost model, quality curves and the short-length rule, lookup counts, warnings).
#include <string>

#include "experiments/run_aggregates.h"

namespace sparsesim {

std::string format_summary_table(const AggregateSet& set);

}  // namespace sparsesim
