#pragma once
// The comparison table printed to the terminal after a run (and by `sparsesim report --text`): per
// policy its knob, compute, throughput, latency percentiles, SLO attainment and mean expected quality
// with a 95% CI, the gap to the oracle bound, then quality by task family and by length bucket, and the
// provenance lines (cost model, quality curves and the short-length rule, lookup counts, warnings).
#include <string>

#include "experiments/run_aggregates.h"

namespace sparsesim {

std::string format_summary_table(const AggregateSet& set);

// Shared with the HTML report, so both say the same thing about a row:
// the policy was set to the compute target (or there is none);
bool at_target(const PolicyAggregate& row);
// its most expensive setting spends less than the target (its quality is the best within the target);
bool below_target_at_most(const PolicyAggregate& row);
// the backlog grows through the trace (median queue wait of the last quarter > 1 s and > 3x the first's);
bool is_overloaded(const PolicyAggregate& row);
// `value` with `decimals` digits after the point;
std::string format_fixed(double value, int decimals);
// a compute figure with its unit ("96.8 GPU-s", "1.2e+15 FLOP", "3.4e+12 B").
std::string compute_text(double value, const std::string& metric);

}  // namespace sparsesim
