#pragma once
// `sparsesim report`: one self-contained HTML file (no network: styles inline, plots as embedded SVG) with
// the comparison table and plots made with gnuplot: quality vs compute per policy (the Pareto view),
// TTFT and TPOT CDFs, budget chosen vs request length, quality by length bucket; for a sweep, the
// planner's tables and frontier plot (experiments/sweep_frontier.h). Each plot is also
// written as PNG beside the HTML (<report stem>_plots/).
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/sqlite_db.h"

namespace sparsesim {

// run_ids empty = every run in the database.
// quality_floor: for the planner's feasible set (0 = none).
void write_html_report(SqliteDb& db, const std::vector<std::int64_t>& run_ids, const std::string& html_path,
                       double quality_floor = 0);

}  // namespace sparsesim
