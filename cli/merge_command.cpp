// sparsesim merge OUT.db SHARD.db...
#include <iostream>

#include <boost/program_options.hpp>

#include "cli/command.h"
#include "core/input_error.h"
#include "experiments/results_merge.h"

namespace sparsesim::cli {
namespace {

namespace po = boost::program_options;

constexpr int kIncompleteExit = 3;

int merge_command(int argc, char** argv) {
  po::options_description options(
      "sparsesim merge OUT.db SHARD.db [SHARD.db...]\n\n"
      "Merges the shard databases of one sweep (written by `sparsesim run --shard I/N`, or by the\n"
      "array tasks of `sparsesim slurm`) into OUT.db. Runs already in OUT.db (same config hash) are\n"
      "skipped, so merging again is harmless. Shards of another experiment or another sparsesim\n"
      "build are refused. Exit status: 0 when every point of the sweep is complete, 3 when points\n"
      "are missing (they are listed; what was there is merged), 2 for bad input.\n\noptions");
  std::vector<std::string> paths;
  options.add_options()("help,h", "show this help");
  po::options_description hidden;
  hidden.add_options()("databases", po::value(&paths));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("databases", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  if (paths.size() < 2)
    throw InputError("expected OUT.db and at least one SHARD.db (see sparsesim merge --help)");
  const std::string out_path = paths.front();
  paths.erase(paths.begin());
  const MergeReport report = merge_results(out_path, paths);
  std::cout << "merged " << report.shards_merged << " shard database"
            << (report.shards_merged == 1 ? "" : "s") << " of '" << report.experiment << "' into " << out_path
            << ": " << report.runs_added << " runs added, " << report.runs_already_present
            << " already present";
  if (report.shards_empty > 0) std::cout << ", " << report.shards_empty << " empty shard databases";
  std::cout << "\n" << report.points_complete << " of " << report.points << " sweep points complete\n";
  if (report.complete()) return 0;
  std::cout << report.missing.size() << " points missing (their shards did not finish):\n";
  const std::size_t shown = std::min<std::size_t>(report.missing.size(), 20);
  for (std::size_t index = 0; index < shown; ++index) {
    const MissingPoint& point = report.missing[index];
    std::cout << "  point " << point.index << (point.label.empty() ? "" : " (" + point.label + ")")
              << ": shard " << point.shard_index << "/" << point.shard_count << "\n";
  }
  if (shown < report.missing.size()) std::cout << "  ... and " << report.missing.size() - shown << " more\n";
  std::cout << "rerun those shards (sparsesim run EXPERIMENT.yaml --shard I/N --out THAT_SHARD.db, or\n"
               "sparsesim slurm ... --submit again), then merge again\n";
  return kIncompleteExit;
}

const bool registered = register_command(
    {"merge", "merge shard databases of one sweep into one (idempotent, reports missing points)",
     merge_command});

}  // namespace
}  // namespace sparsesim::cli
