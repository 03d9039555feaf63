#pragma once
// HTML tables for the report (experiments/html_report.h): the same figures as the terminal table, as real
// <table>s with units in the headers, quality and SLO attainment first, the dense and oracle rows marked
// as references (class "ref"), and every table sortable by clicking a header (kSortScript). Text is
// escaped; numbers carry a data-v attribute so sorting is numeric.
#include <string>

#include "experiments/run_aggregates.h"
#include "experiments/sqlite_db.h"
#include "experiments/sweep_frontier.h"

namespace sparsesim {

std::string escape_html(const std::string& text);

// One section per configuration (sweep point): its compute target, the comparison table, the notes the
// terminal table gives (off target, ill-conditioned, overload), and quality by task family and by input
// length. Sweeps beyond `max_points` points show the first ones and say how many were left out.
std::string comparison_sections_html(const AggregateSet& set, std::size_t max_points);

// The stored capacity answers of `experiment` ("" = every experiment); "" when there are none.
std::string capacity_tables_html(SqliteDb& db, const std::string& experiment);

// The planner's view of a sweep: per scenario the cheapest feasible deployment per policy and the
// frontier; "" when the set is not a sweep.
std::string planner_tables_html(const PlannerView& view);

// The inline script that makes every table.sortable sortable by its headers (no network, no library).
extern const char* const kSortScript;
// The report's style sheet: fits 1,280 px without horizontal scrolling.
extern const char* const kReportStyle;

}  // namespace sparsesim
