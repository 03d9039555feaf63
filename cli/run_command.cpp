// sparsesim run EXPERIMENT.yaml [--out RESULTS.db] [--seed N] [--threads N]
#include <filesystem>
#include <iostream>
#include <thread>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "cli/command_line.h"
#include "cli/isocost_command.h"
#include "core/input_error.h"
#include "core/path_probe.h"
#include "core/yaml_file.h"
#include "experiments/capacity_planner.h"
#include "experiments/experiment_runner.h"
#include "experiments/html_report.h"
#include "experiments/isocost_study.h"
#include "experiments/results_store.h"
#include "experiments/run_aggregates.h"
#include "experiments/shard_plan.h"
#include "experiments/summary_table.h"
#include "experiments/sweep_frontier.h"
#include "experiments/sweep_plan.h"

namespace sparsesim::cli {
namespace {

namespace po = boost::program_options;

// Sweeps with more points print only the planner's view after a run.
constexpr std::size_t kLargestSweepPrinted = 24;

void select_shard_points(const ShardSelector& shard, RunOptions& options) {
  const SweepPlan& plan = *options.plan;
  options.only_listed_points = true;
  options.point_indices = points_of_shard(plan, shard.index);
  double mine = 0, all = 0;
  for (double cost : plan.point_cost) all += cost;
  for (std::size_t index : options.point_indices) mine += plan.point_cost[index];
  std::cerr << "note: shard " << shard.index << "/" << shard.count << " (from " << shard.source
            << "): " << options.point_indices.size() << " of " << plan.point_labels.size()
            << " sweep points, " << static_cast<int>(100.0 * mine / all + 0.5) << "% of the estimated cost\n";
}

int run_command(int argc, char** argv) {
  po::options_description options(
      "sparsesim run EXPERIMENT.yaml [options]\n\n"
      "Replays the experiment's workload under each policy, solving every policy's knob to\n"
      "the compute target, stores runs and requests in an SQLite database and prints the\n"
      "comparison table. Runs already stored (same config hash) are skipped.\n\noptions");
  std::string experiment_path, out_path, report_path, shard_text;
  std::uint64_t seed = 0;
  int threads = 0;
  options.add_options()("help,h", "show this help")(
      "out,o", po::value(&out_path)->default_value("results/results.db"),
      "results database (created if missing)")("seed", po::value(&seed), "override the experiment's seed")(
      "threads,j", po::value(&threads)->default_value(0),
      "worker threads (0 = all cores); results do not depend on it")(
      "report", po::value(&report_path),
      "also write an HTML report here (overrides the experiment's `report:`)")("no-progress",
                                                                               "never draw the progress bar")(
      "shard", po::value(&shard_text),
      "run only shard I/N (0 <= I < N) of the sweep's points, balanced by estimated cost; inside a Slurm "
      "array task the default is SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT")(
      "step-by-step", "simulate every iteration as its own event (no decode runs); same results, slower");
  po::variables_map vm;
  if (!parse_command_line(argc, argv, options, "EXPERIMENT.yaml", experiment_path, vm)) return 0;
  // An iso-cost study (an `isocost:` key) is analytic: no workload, no database.
  if (is_regular_file_path(experiment_path) && is_isocost_document(load_yaml_file(experiment_path)))
    return run_isocost_file(experiment_path, false);

  ExperimentSpec spec = load_experiment(experiment_path);
  if (vm.count("seed")) spec.seed = seed;
  if (vm.count("report")) spec.report_path = report_path;
  if (vm.count("step-by-step")) spec.cluster.decode_runs = false;
  RunOptions run_options;
  run_options.results_path = out_path;
  run_options.threads =
      threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  run_options.progress = !vm.count("no-progress");
  ShardSelector shard;
  const bool sharded =
      vm.count("shard") ? (shard = parse_shard(shard_text), true) : shard_from_slurm_environment(shard);
  if (sharded && spec.capacity.enabled)
    throw InputError("--shard: a capacity experiment runs as one search and cannot be sharded");
  if (!spec.capacity.enabled) run_options.plan = make_sweep_plan(spec, sharded ? shard.count : 1);
  if (sharded) select_shard_points(shard, run_options);
  if (spec.capacity.enabled) {
    const auto capacity = plan_capacity(spec, run_options);
    std::cout << format_capacity_table(capacity, capacity_criteria(spec));
    return 0;
  }
  const ExperimentRunReport report = run_experiment(spec, run_options);

  if (report.run_ids.empty()) {  // a shard with no points: its database exists, empty, for merge
    std::cout << "no sweep points in this shard; nothing to run\n";
    return 0;
  }
  auto db = open_results(out_path);
  const AggregateSet aggregates = aggregate_runs(*db, report.run_ids);
  // A big sweep's per-point table runs to thousands of lines: print the planner's view, and say where
  // the rest is.
  const std::string planner = format_planner_tables(planner_view(*db, aggregates, 0));
  const bool big_sweep = spec.sweep.points.size() > kLargestSweepPrinted;
  const std::string table = (big_sweep ? std::string() : format_summary_table(aggregates)) + planner +
                            format_tuning_report(report, spec);
  if (big_sweep)
    std::cout << "per-point comparison of " << spec.sweep.points.size() << " sweep points: sparsesim report "
              << out_path << " --text (or -o report.html)\n";
  std::cout << table;
  // Notes the table already carries (stored with the runs) are not repeated.
  for (const auto& note : report.notes)
    if (table.find(note) == std::string::npos) std::cerr << "note: " << note << "\n";
  std::cout << "\n"
            << report.simulated << " runs simulated, " << report.skipped << " found already in " << out_path
            << "\n";
  if (!spec.report_path.empty()) {
    write_html_report(*db, report.run_ids, spec.report_path);
    std::cout << "report written to " << spec.report_path << "\n";
  }
  return 0;
}

const bool registered = register_command(
    {"run", "run an experiment (YAML): policies compared at equal compute, results to SQLite", run_command});

}  // namespace
}  // namespace sparsesim::cli
