#pragma once
#include <string>

namespace sparsesim::cli {

// Runs the iso-cost study in `path` and prints its report; `all_points` adds every point. Throws
// InputError on bad input. Returns the exit code.
int run_isocost_file(const std::string& path, bool all_points);

}  // namespace sparsesim::cli
