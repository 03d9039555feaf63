#pragma once
// Percentiles of a sample, by linear interpolation between closest ranks (the numpy default), so that
// reported p50/p90/p99 match what users compute from the exported per-request table.
#include <vector>

namespace sparsesim {

// q in [0, 1]. Reorders `values` (a partial sort). Returns 0 for an empty sample.
double percentile_in_place(std::vector<double>& values, double q);

}  // namespace sparsesim
