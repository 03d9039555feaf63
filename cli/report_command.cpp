// sparsesim report RESULTS.db -o report.html [--run-ids 1,2,3] [--text]
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "cli/command_line.h"
#include "core/input_error.h"
#include "experiments/capacity_planner.h"
#include "experiments/html_report.h"
#include "experiments/results_store.h"
#include "experiments/run_aggregates.h"
#include "experiments/summary_table.h"
#include "experiments/sweep_frontier.h"

namespace sparsesim::cli {
namespace {

namespace po = boost::program_options;

std::vector<std::int64_t> runs_of_experiment(SqliteDb& db, const std::string& experiment) {
  std::vector<std::int64_t> ids;
  SqliteStatement query(db, "SELECT run_id FROM runs WHERE experiment = ? ORDER BY run_id");
  query << experiment;
  while (query.step()) ids.push_back(query.column_int(0));
  if (ids.empty()) throw InputError(db.path() + ": no runs of experiment '" + experiment + "'");
  return ids;
}

int report_command(int argc, char** argv) {
  po::options_description options(
      "sparsesim report RESULTS.db (-o report.html | --text) [options]\n\n"
      "Writes one self-contained HTML report (table and gnuplot plots, SVG embedded, PNG\n"
      "copies beside it) or, with --text, prints the comparison table; capacity-search answers\n"
      "are shown as their own table. One of -o and --text is required.\n\noptions");
  std::string db_path, html_path, experiment;
  double quality_floor = 0;
  options.add_options()("help,h", "show this help")("output,o", po::value(&html_path),
                                                    "HTML file to write (required unless --text)")(
      "experiment,e", po::value(&experiment), "only this experiment's runs (default: every run)")(
      "text", "print the comparison table instead of writing HTML")(
      "quality-floor", po::value(&quality_floor)->default_value(0),
      "for a sweep's planner tables: feasible also needs mean quality >= this (0 = no floor)");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, options, "RESULTS.db", db_path, vm)) return 0;
  if (html_path.empty() && !vm.count("text")) throw po::error("give -o report.html or --text");
  if (!(quality_floor >= 0 && quality_floor <= 1))
    throw InputError("--quality-floor: expected a quality in [0, 1], got " + std::to_string(quality_floor));
  auto db = open_results(db_path);
  const std::vector<std::int64_t> ids =
      experiment.empty() ? std::vector<std::int64_t>{} : runs_of_experiment(*db, experiment);
  if (vm.count("text")) {
    const AggregateSet set = aggregate_runs(*db, ids);
    if (!set.rows.empty()) std::cout << format_summary_table(set);
    std::cout << format_planner_tables(planner_view(*db, set, quality_floor));
    std::cout << format_stored_capacity_results(*db, experiment);
  }
  if (!html_path.empty()) {
    write_html_report(*db, ids, html_path, quality_floor);
    std::cout << "report written to " << html_path << "\n";
  }
  return 0;
}

const bool registered = register_command(
    {"report", "write a self-contained HTML report (table + plots) from a results database", report_command});

}  // namespace
}  // namespace sparsesim::cli
